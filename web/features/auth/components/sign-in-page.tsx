// Staff sign-in: a clear sentence for a wrong password and for a locked account. The same form
// signs in again, in a dialog over the desk, when the session ended under the user.
import {
  Alert,
  Anchor,
  Button,
  Center,
  Modal,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, type ReactNode, useState } from "react";
import { ApiError } from "../../../lib/api-client.ts";
import type { UserJson } from "../../../lib/types.ts";
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
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={400} maw="100%">
        <SignInForm
          intro={
            <>
              <Title order={1} size="h2">
                CancelDesk
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to work cancellation requests under WootRecruit's policy.
              </Text>
            </>
          }
        />
        <Text size="sm" mt="md">
          A customer? <Anchor href="/cancel">Start a cancellation request</Anchor>
        </Text>
      </Paper>
    </Center>
  );
}

/**
 * The session ended while the desk was open (it lasts 12 hours; deactivation, a role change or
 * signing out elsewhere end it too): sign in again here, on the same page, with what was typed
 * still in its fields behind the dialog.
 */
export function SessionEndedDialog({ user }: { user: UserJson }) {
  return (
    <Modal
      opened
      onClose={() => {}}
      withCloseButton={false}
      closeOnClickOutside={false}
      closeOnEscape={false}
      centered
      title="Your session has ended"
    >
      <SignInForm
        initialEmail={user.email}
        intro={
          <Text size="sm">
            Sign in again to carry on where you were: this page and what you typed stay as they are.
            Anything you had just sent was not done; send it again once signed in.
          </Text>
        }
      />
    </Modal>
  );
}

function SignInForm({ intro, initialEmail = "" }: { intro: ReactNode; initialEmail?: string }) {
  const signIn = useSignIn();
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {intro}
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
      </Stack>
    </form>
  );
}
