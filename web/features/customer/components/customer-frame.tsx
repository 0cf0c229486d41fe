// The customer pages' frame: the company's name and logo (from the workspace settings), one
// narrow column that works on a phone; and the pieces every customer page shares.
import { Alert, Box, Container, Group, Image, Paper, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { ApiError, namesField } from "../../../lib/api-client.ts";
import { useBranding } from "../api/customer.ts";

/** Shown until the settings arrive, and if they cannot be read. */
const FALLBACK_COMPANY = "WootRecruit";

/** The company's name for the page's own words ("cancel my ... subscription"). */
export function useCompanyName(): string {
  return useBranding().data?.companyName ?? FALLBACK_COMPANY;
}

export function CustomerFrame({ children }: { children: ReactNode }) {
  const branding = useBranding().data;
  const company = branding?.companyName ?? FALLBACK_COMPANY;
  return (
    <Box bg="gray.0" mih="100vh" py={{ base: "sm", sm: "xl" }}>
      <Container size={560} px="sm">
        <Stack gap="md">
          <Group component="header" gap="sm" wrap="nowrap">
            {branding?.logoUrl ? (
              // The name follows as text, so the logo itself is decoration.
              <Image src={branding.logoUrl} alt="" h={40} w="auto" fit="contain" />
            ) : null}
            <Text fw={800} size="xl" c="indigo.9" data-testid="company-name">
              {company}
            </Text>
          </Group>
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

/**
 * A problem with a whole form (not one field, whose message sits next to it): the server's
 * sentence, or `known[code]` when the page words that code itself. Nothing when all is well.
 */
export function ProblemAlert({
  error,
  known = {},
  fieldsShown,
}: {
  error: unknown;
  known?: Record<string, string>;
  /** The fields the form shows messages beside; a problem with any other field shows here. */
  fieldsShown?: readonly string[];
}) {
  if (!error) return null;
  if (
    error instanceof ApiError &&
    error.fields.length > 0 &&
    (!fieldsShown || error.fields.every((f) => fieldsShown.some((s) => namesField(f.field, s))))
  )
    return null;
  const text =
    error instanceof ApiError
      ? (known[error.code] ?? error.message)
      : "Sending did not work. Please try again.";
  return (
    <Alert color="red" role="alert">
      {text}
    </Alert>
  );
}

/** The message for one field, or for the form when no field is named. */
export function fieldProblem(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}
