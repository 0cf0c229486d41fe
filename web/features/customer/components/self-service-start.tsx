// "I want to cancel": the customer's work email, the code we send to it, then the form.
import { Alert, Button, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { ApiError } from "../../../lib/api-client.ts";
import { useStartSelfService, useVerifySelfService } from "../api/customer.ts";
import {
  CustomerFrame,
  PageTitle,
  StepTitle,
  useCompanyName,
  useFocusOnProblem,
} from "./customer-frame.tsx";

/**
 * Where the customer is (the email they gave, and whether a code went to it) is kept for the tab,
 * so a reload, or coming back from the email app, lands on the code step again; and the code's
 * email links here with `?code` to open that step on another device.
 */
const STEP_KEY = "canceldesk.self-service";

function savedStep(): { email: string; codeSent: boolean } {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STEP_KEY) ?? "null");
    if (saved && typeof saved.email === "string") {
      return { email: saved.email, codeSent: saved.codeSent === true };
    }
  } catch {
    // Storage off or unreadable: start from the beginning.
  }
  return { email: "", codeSent: false };
}

function saveStep(step: { email: string; codeSent: boolean }) {
  try {
    sessionStorage.setItem(STEP_KEY, JSON.stringify(step));
  } catch {
    // Storage off: the page still works, it just forgets on reload.
  }
}

export function SelfServiceStart() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const company = useCompanyName();
  const start = useStartSelfService();
  const verify = useVerifySelfService();
  const [initial] = useState(savedStep);
  const [email, setEmail] = useState(initial.email);
  const [code, setCode] = useState("");
  // The code step: after a code was sent, or when the customer says they already have one.
  const [codeStep, setCodeStep] = useState(initial.codeSent || params.has("code"));
  const startError = start.error instanceof ApiError ? start.error : null;
  const verifyError = verify.error instanceof ApiError ? verify.error : null;
  const emailForm = useFocusOnProblem(start.error);
  const codeForm = useFocusOnProblem(verify.error);
  const emailInput = useRef<HTMLInputElement>(null);
  const [anotherEmail, setAnotherEmail] = useState(false);
  // Back from the code step, the customer lands on the field they came back to change.
  useEffect(() => {
    if (anotherEmail && !codeStep) emailInput.current?.focus();
  }, [anotherEmail, codeStep]);

  const sendCode = (event: FormEvent) => {
    event.preventDefault();
    start.mutate(email.trim(), {
      onSuccess: () => {
        saveStep({ email: email.trim(), codeSent: true });
        setCodeStep(true);
      },
    });
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    verify.mutate(
      { email: email.trim(), code: code.trim() },
      {
        onSuccess: (r) => {
          saveStep({ email: "", codeSent: false });
          navigate(`/c/${r.formToken}`);
        },
      },
    );
  };

  return (
    <CustomerFrame>
      <PageTitle documentTitle="Cancel your subscription">
        I want to cancel my {company} subscription
      </PageTitle>
      {!codeStep ? (
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
            <Button
              variant="subtle"
              onClick={() => {
                start.reset();
                setCodeStep(true);
              }}
            >
              I already have a code
            </Button>
          </Stack>
        </form>
      ) : (
        <form ref={codeForm} onSubmit={confirm} noValidate>
          <Stack>
            <StepTitle>Enter the code we sent you</StepTitle>
            <Alert color="blue" role="status">
              {start.data?.message ??
                "Enter the code from the email we sent you, with the address it went to."}
            </Alert>
            {start.isSuccess ? null : (
              <TextInput
                label="Work email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={verifyError?.fieldMessage("email")}
              />
            )}
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
                saveStep({ email: "", codeSent: false });
                setCodeStep(false);
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
