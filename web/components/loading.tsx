// A whole page waiting for what it shows: the staff desk's chunk, the session.
import { Center, Loader } from "@mantine/core";

export function Loading() {
  return (
    <Center mih="100vh">
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}
