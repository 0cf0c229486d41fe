// The customer pages' frame: the company's name, one narrow column that works on a phone.
import { Box, Container, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

export function CustomerFrame({ company, children }: { company: string; children: ReactNode }) {
  return (
    <Box bg="gray.0" mih="100vh" py={{ base: "sm", sm: "xl" }}>
      <Container size={560} px="sm">
        <Stack gap="md">
          <Box component="header">
            <Text fw={800} size="xl" c="indigo.9">
              {company}
            </Text>
          </Box>
          <Paper component="main" withBorder shadow="xs" p={{ base: "md", sm: "xl" }} radius="md">
            {children}
          </Paper>
          <Text component="footer" size="xs" c="dimmed">
            Questions? Reply to any message from us, or contact your account manager.
          </Text>
        </Stack>
      </Container>
    </Box>
  );
}

export function PageTitle({ children }: { children: ReactNode }) {
  return (
    <Title order={1} size="h2" mb="sm">
      {children}
    </Title>
  );
}
