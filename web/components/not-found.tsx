import { Anchor, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <Stack>
      <Title order={1}>Page not found</Title>
      <Text>
        There is nothing here. Go back to the{" "}
        <Anchor component={Link} to="/queues">
          queues
        </Anchor>
        .
      </Text>
    </Stack>
  );
}

export function NotAllowed() {
  return (
    <Stack>
      <Title order={1}>Not available to your role</Title>
      <Text>
        This screen is for admins. Ask an admin if you need a change to users, API keys or the
        policy.
      </Text>
    </Stack>
  );
}
