// Identity code entry for a case opened by staff: the customer types the case reference and the
// code from our message (the message links here with the reference filled in). A wrong code
// counts towards the policy's attempt limit, as one read back to the account manager does.
import { Button, Stack, Text, TextInput } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { useSearchParams } from "react-router";
import { useConfirmIdentityCode } from "../api/customer.ts";
import {
  CustomerFrame,
  fieldProblem,
  PageTitle,
  ProblemAlert,
  useCompanyName,
  useFocusOnProblem,
} from "./customer-frame.tsx";

export function IdentityCodeEntry() {
  const [params] = useSearchParams();
  const company = useCompanyName();
  const confirm = useConfirmIdentityCode();
  const [reference, setReference] = useState(params.get("ref") ?? "");
  const [contact, setContact] = useState("");
  const [code, setCode] = useState("");
  const form = useFocusOnProblem(confirm.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate({ reference: reference.trim(), contact: contact.trim(), code: code.trim() });
  };

  if (confirm.isSuccess)
    return (
      <CustomerFrame>
        <PageTitle>Thank you, we know it's you</PageTitle>
        <Stack>
          <Text>
            Your identity is confirmed for request <strong>{confirm.data.reference}</strong>.
          </Text>
          <Text fw={600}>What happens next</Text>
          <Text>
            Your account manager will send you the Cancellation Request Form on the channel you
            prefer. It takes about two minutes and makes sure your request is handled exactly as you
            want it.
          </Text>
        </Stack>
      </CustomerFrame>
    );

  return (
    <CustomerFrame>
      <PageTitle>Confirm it's you</PageTitle>
      <form ref={form} onSubmit={submit} noValidate>
        <Stack>
          <Text>
            To protect your account, {company} sent a code to the contact details we have on file
            for you. Enter it here with your case reference, both from the same message, and the
            email address or phone number the message came to.
          </Text>
          <ProblemAlert error={confirm.error} />
          <TextInput
            label="Case reference"
            description="It looks like CD-2026-00042"
            required
            autoComplete="off"
            value={reference}
            onChange={(e) => setReference(e.currentTarget.value)}
            error={fieldProblem(confirm.error, "reference")}
          />
          <TextInput
            label="Your email address or phone number"
            description="Where the message with the code came to"
            required
            autoComplete="email"
            value={contact}
            onChange={(e) => setContact(e.currentTarget.value)}
            error={fieldProblem(confirm.error, "contact")}
          />
          <TextInput
            label="The code from the message"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={fieldProblem(confirm.error, "code")}
          />
          <Button type="submit" loading={confirm.isPending}>
            Confirm
          </Button>
          <Text size="xs" c="dimmed">
            Nobody from {company} will ask you for this code in any other way. A few wrong codes in
            a row end the request for your security: then ask for a new one.
          </Text>
        </Stack>
      </form>
    </CustomerFrame>
  );
}
