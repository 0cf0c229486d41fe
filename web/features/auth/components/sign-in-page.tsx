// Staff sign-in: a clear sentence for a wrong password and for a locked account.
import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, useState } from "react";
import { ApiError } from "../../../lib/api-client.ts";
import { useSignIn } from "../api/session.ts";

function signInProblem(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "INVALID_CREDENTIALS")
      return "The email or password is not right. Check them and try again.";
    if (error.code === "ACCOUNT_LOCKED")
      return `This account is locked after too many wrong passwords. ${error.message}`;
    if (error.code === "RATE_LIMITED")
      return "Too many attempts from here: wait a minute and try again.";
    return error.message;
  }
  return "Signing in did not work. Try again.";
}

export function SignInPage() {
  const signIn = useSignIn();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={400} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Title order={1} size="h2">
              CancelDesk
            </Title>
            <Text c="dimmed" size="sm">
              Sign in to work cancellation requests under WootRecruit's policy.
            </Text>
            {signIn.error ? (
              <Alert color="red" title="Could not sign in" role="alert">
                {signInProblem(signIn.error)}
              </Alert>
            ) : null}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
            <Text size="sm">
              A customer? <Anchor href="/cancel">Start a cancellation request</Anchor>
            </Text>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
