// "I want to cancel": the customer's work email, the code we send to it, then the form.
import { Alert, Button, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../../lib/api-client.ts";
import { useStartSelfService, useVerifySelfService } from "../api/customer.ts";
import {
  CustomerFrame,
  PageTitle,
  StepTitle,
  useCompanyName,
  useFocusOnProblem,
} from "./customer-frame.tsx";

export function SelfServiceStart() {
  const navigate = useNavigate();
  const company = useCompanyName();
  const start = useStartSelfService();
  const verify = useVerifySelfService();
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const startError = start.error instanceof ApiError ? start.error : null;
  const verifyError = verify.error instanceof ApiError ? verify.error : null;
  const emailForm = useFocusOnProblem(start.error);
  const codeForm = useFocusOnProblem(verify.error);
  const emailInput = useRef<HTMLInputElement>(null);
  const [anotherEmail, setAnotherEmail] = useState(false);
  // Back from the code step, the customer lands on the field they came back to change.
  useEffect(() => {
    if (anotherEmail && !start.isSuccess) emailInput.current?.focus();
  }, [anotherEmail, start.isSuccess]);

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
      <PageTitle documentTitle="Cancel your subscription">
        I want to cancel my {company} subscription
      </PageTitle>
      {!start.isSuccess ? (
        <form ref={emailForm} onSubmit={sendCode} noValidate>
          <Stack>
            <Text>
              We're sorry to see you go. To protect your account, we first check it's you: enter the
              work email we have on file for you, and we'll send a code to it.
            </Text>
            <TextInput
              ref={emailInput}
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
        <form ref={codeForm} onSubmit={confirm} noValidate>
          <Stack>
            <StepTitle>Enter the code we sent you</StepTitle>
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
                setAnotherEmail(true);
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
