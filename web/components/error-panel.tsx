import { Alert } from "@mantine/core";
import { errorMessage } from "../lib/api-client.ts";

export function ErrorPanel({
  error,
  title = "Something went wrong",
}: {
  error: unknown;
  title?: string;
}) {
  return (
    <Alert color="red" title={title} role="alert" my="md">
      {errorMessage(error)}
    </Alert>
  );
}
