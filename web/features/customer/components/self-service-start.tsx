// "I want to cancel": the customer's work email, the code we send to it, then the form.
import { Alert, Button, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../../lib/api-client.ts";
import { useStartSelfService, useVerifySelfService } from "../api/customer.ts";
import { CustomerFrame, PageTitle, useCompanyName } from "./customer-frame.tsx";

export function SelfServiceStart() {
  const navigate = useNavigate();
  const company = useCompanyName();
  const start = useStartSelfService();
  const verify = useVerifySelfService();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const startError = start.error instanceof ApiError ? start.error : null;
  const verifyError = verify.error instanceof ApiError ? verify.error : null;

  const sendCode = (event: FormEvent) => {
    event.preventDefault();
    start.mutate(email.trim());
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate(
      { email: email.trim(), code: code.trim() },
      { onSuccess: (r) => navigate(`/c/${r.formToken}`) },
    );
  };

  return (
    <CustomerFrame>
      <PageTitle>I want to cancel my {company} subscription</PageTitle>
      {!start.isSuccess ? (
        <form onSubmit={sendCode} noValidate>
          <Stack>
            <Text>
              We're sorry to see you go. To protect your account, we first check it's you: enter the
              work email we have on file for you, and we'll send a code to it.
            </Text>
            <TextInput
              label="Work email"
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={
                startError?.fieldMessage("email") ??
                (startError && !startError.fields.length ? startError.message : undefined)
              }
            />
            <Button type="submit" loading={start.isPending}>
              Send me a code
            </Button>
          </Stack>
        </form>
      ) : (
        <form onSubmit={confirm} noValidate>
          <Stack>
            <Alert color="blue" role="status">
              {start.data.message}
            </Alert>
            <TextInput
              label="The code from the email"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              error={
                verifyError?.fieldMessage("code") ??
                (verifyError && !verifyError.fields.length ? verifyError.message : undefined)
              }
            />
            <Button type="submit" loading={verify.isPending}>
              Continue to the cancellation form
            </Button>
            <Button
              variant="subtle"
              onClick={() => {
                start.reset();
                verify.reset();
                setCode("");
              }}
            >
              Use another email
            </Button>
          </Stack>
        </form>
      )}
    </CustomerFrame>
  );
}
