// Log a cancellation request (step 1): find the account, the contact who asked, the subscription,
// and how the request came in. The engine checks the requester may cancel once the case is open.
import {
  Alert,
  Button,
  Paper,
  Radio,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../../lib/api-client.ts";
import { formatMoney, humanize } from "../../../lib/format.ts";
import {
  useAccounts,
  useContacts,
  usePlans,
  useSubscriptions,
} from "../../accounts/api/accounts.ts";
import { useOpenCase } from "../api/cases.ts";

export function NewCasePage() {
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [q] = useDebouncedValue(search, 250);
  const [accountId, setAccountId] = useState<string | null>(null);
  const [contactId, setContactId] = useState<string | null>(null);
  const [subscriptionId, setSubscriptionId] = useState<string | null>(null);
  const [channel, setChannel] = useState("phone");
  const [summary, setSummary] = useState("");
  const accounts = useAccounts(q);
  const contacts = useContacts(accountId ?? undefined);
  const subscriptions = useSubscriptions(accountId ?? undefined);
  const plans = usePlans();
  const open = useOpenCase();
  const planName = (id: string) => plans.data?.items.find((p) => p.id === id)?.name ?? "Plan";
  const error = open.error instanceof ApiError ? open.error : null;
  const fieldError = (f: string) => error?.fieldMessage(f);

  return (
    <Stack maw={720}>
      <Title order={1}>New cancellation request</Title>
      <Text size="sm" c="dimmed">
        Log the request as it came in. You verify the requester's identity next, on the case.
      </Text>
      <Paper withBorder p="md">
        <Stack>
          <TextInput
            label="Find the account"
            description="Type part of the company name or reference"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
          />
          <Select
            label="Account"
            searchable={false}
            placeholder="Choose the account"
            data={(accounts.data?.items ?? []).map((a) => ({
              value: a.id,
              label: `${a.name}${a.externalRef ? ` (${a.externalRef})` : ""}`,
            }))}
            value={accountId}
            onChange={(v) => {
              setAccountId(v);
              setContactId(null);
              setSubscriptionId(null);
            }}
            error={fieldError("accountId")}
          />
          <Select
            label="Who is asking"
            placeholder={accountId ? "Choose the contact" : "Choose the account first"}
            disabled={!accountId}
            data={(contacts.data?.items ?? []).map((c) => ({
              value: c.id,
              label: `${c.name} — ${humanize(c.role)}${c.authorisedToCancel ? ", may cancel" : ", not authorised to cancel"}`,
            }))}
            value={contactId}
            onChange={setContactId}
            error={fieldError("requesterContactId")}
          />
          <Select
            label="Subscription"
            placeholder={accountId ? "Choose the subscription" : "Choose the account first"}
            disabled={!accountId}
            data={(subscriptions.data?.items ?? []).map((s) => ({
              value: s.id,
              label: `${planName(s.planId)} · ${s.seats} seats · ${formatMoney(s.monthlyValueMinor, s.currency)}/month · ${humanize(s.status)}`,
            }))}
            value={subscriptionId}
            onChange={setSubscriptionId}
            error={fieldError("subscriptionId")}
          />
          <Radio.Group label="How the request came in" value={channel} onChange={setChannel}>
            <Stack gap={4} mt={4}>
              {["phone", "email", "chat", "portal"].map((c) => (
                <Radio key={c} value={c} label={humanize(c)} />
              ))}
            </Stack>
          </Radio.Group>
          <Textarea
            label="What the customer said (optional)"
            value={summary}
            onChange={(e) => setSummary(e.currentTarget.value)}
          />
          {open.error ? (
            <Alert color="red" role="alert" title="The case was not opened">
              {open.error.message}
            </Alert>
          ) : null}
          <Button
            disabled={!accountId || !contactId || !subscriptionId}
            loading={open.isPending}
            onClick={() =>
              open.mutate(
                {
                  accountId: accountId!,
                  subscriptionId: subscriptionId!,
                  requesterContactId: contactId!,
                  channel,
                  ...(summary ? { summary } : {}),
                },
                { onSuccess: (view) => navigate(`/cases/${view.case.reference}`) },
              )
            }
          >
            Open the case
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}
