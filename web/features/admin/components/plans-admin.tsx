// The plan catalog: every plan with its price per seat a month and whether it is on sale, a form to
// add one, and a dialog to change a plan's name, price, currency or sale (its code never changes:
// policy offers and CSV imports name plans by it).
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, type RefObject, useEffect, useRef, useState } from "react";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { ApiError } from "../../../lib/api-client.ts";
import { formatDateTime, formatMoney } from "../../../lib/format.ts";
import type { PlanJson } from "../../../lib/types.ts";
import { type PlanValues, useAllPlans, useChangePlan, useCreatePlan } from "../api/plans.ts";

const ON_SALE_HELP =
  "A plan not on sale stays on the subscriptions that have it, but a new policy version cannot offer a downgrade to it.";
const PRICE_HELP =
  "Per seat a month, e.g. 49.00. A downgrade onto the plan charges its seats at this price; subscriptions already on it keep their own monthly value.";
const NO_PRICE = "Enter the price per seat a month, e.g. 49.00";

/** "49.5" -> 4950 minor units; null when nothing was typed. */
function toMinor(price: number | string): number | null {
  if (price === "" || Number.isNaN(Number(price))) return null;
  return Math.round(Number(price) * 100);
}

/** The fields of a plan as the form holds them (the price in main units, as typed). */
interface Draft {
  name: string;
  price: number | string;
  currency: string;
  active: boolean;
}

function PlanFields({
  draft,
  onChange,
  error,
  priceError,
  refs,
}: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  error: ApiError | null;
  priceError: string | null;
  refs: Record<"name" | "monthlyPriceMinor" | "currency", RefObject<HTMLInputElement | null>>;
}) {
  const field = (name: string) => error?.fieldMessage(name);
  return (
    <>
      <TextInput
        ref={refs.name}
        label="Name"
        description="As staff and customers read it, e.g. Growth"
        required
        value={draft.name}
        onChange={(e) => onChange({ ...draft, name: e.currentTarget.value })}
        error={field("name")}
      />
      <Group align="start" grow>
        <NumberInput
          ref={refs.monthlyPriceMinor}
          label="Price"
          description={PRICE_HELP}
          required
          min={0}
          allowNegative={false}
          decimalScale={2}
          fixedDecimalScale
          thousandSeparator=","
          // A number out of range is named by the server, not quietly changed.
          clampBehavior="none"
          value={draft.price}
          onChange={(price) => onChange({ ...draft, price })}
          error={priceError ?? field("monthlyPriceMinor")}
        />
        <TextInput
          ref={refs.currency}
          label="Currency"
          description="Three letters, ISO 4217, e.g. USD"
          required
          maxLength={3}
          value={draft.currency}
          onChange={(e) => onChange({ ...draft, currency: e.currentTarget.value.toUpperCase() })}
          error={field("currency")}
        />
      </Group>
      <Checkbox
        label="On sale"
        description={ON_SALE_HELP}
        checked={draft.active}
        onChange={(e) => onChange({ ...draft, active: e.currentTarget.checked })}
        error={field("active")}
      />
    </>
  );
}

/** Refs for the fields a refusal may name, and focus on the first one named. */
function useFieldFocus(error: ApiError | null, priceError: string | null) {
  const code = useRef<HTMLInputElement>(null);
  const name = useRef<HTMLInputElement>(null);
  const monthlyPriceMinor = useRef<HTMLInputElement>(null);
  const currency = useRef<HTMLInputElement>(null);
  const refs = { code, name, monthlyPriceMinor, currency };
  // biome-ignore lint/correctness/useExhaustiveDependencies: refs are stable; focus moves on a new refusal
  useEffect(() => {
    const order = ["code", "name", "monthlyPriceMinor", "currency"] as const;
    const first = order.find(
      (f) => error?.fieldMessage(f) || (f === "monthlyPriceMinor" && priceError),
    );
    if (first) refs[first].current?.focus();
  }, [error, priceError]);
  return refs;
}

export function PlansAdmin() {
  const plans = useAllPlans();
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<PlanJson | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);
  const items = [...(plans.data?.items ?? [])].sort((a, b) => a.code.localeCompare(b.code));

  return (
    <Stack>
      <Title order={1}>Plans</Title>
      <Text maw={760}>
        The plans customers subscribe to, priced per seat a month. A plan's code is how policy
        offers (a downgrade) and CSV imports name it, so it cannot change; a plan is never deleted,
        only taken off sale.
      </Text>
      {notice ? (
        <Alert
          color="green"
          role="status"
          ref={noticeRef}
          tabIndex={-1}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setNotice(null)}
        >
          {notice}
        </Alert>
      ) : null}
      {plans.error ? <ErrorPanel error={plans.error} /> : null}
      <Table.ScrollContainer minWidth={720}>
        <Table aria-label="Plans">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Code</Table.Th>
              <Table.Th>Name</Table.Th>
              <Table.Th>Price per seat a month</Table.Th>
              <Table.Th>Currency</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Last changed</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((p) => (
              <Table.Tr key={p.id}>
                <Table.Td>
                  <Code>{p.code}</Code>
                </Table.Td>
                <Table.Td>{p.name}</Table.Td>
                <Table.Td>{formatMoney(p.monthlyPriceMinor, p.currency)}</Table.Td>
                <Table.Td>{p.currency}</Table.Td>
                <Table.Td>
                  <Badge color={p.active ? "green" : "gray"} variant="light">
                    {p.active ? "On sale" : "Not on sale"}
                  </Badge>
                </Table.Td>
                <Table.Td>{formatDateTime(p.updatedAt)}</Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    aria-label={`Edit ${p.name}`}
                    onClick={() => setEditing(p)}
                  >
                    Edit
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {plans.data && items.length === 0 ? <Text c="dimmed">No plans yet.</Text> : null}
      <CreatePlan
        onCreated={(p) =>
          setNotice(
            `Plan “${p.name}” (${p.code}) added at ${formatMoney(p.monthlyPriceMinor, p.currency)} a seat a month${p.active ? "" : ", not on sale"}.`,
          )
        }
      />
      <Modal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        title={editing ? `Edit the plan “${editing.name}”` : ""}
        closeButtonProps={{ "aria-label": "Close" }}
        centered
      >
        {editing ? (
          <EditPlan
            plan={editing}
            onClose={() => setEditing(null)}
            onSaved={(p, what) => {
              setEditing(null);
              setNotice(what.length ? `Plan “${p.name}” (${p.code}): ${what.join("; ")}.` : null);
            }}
          />
        ) : null}
      </Modal>
    </Stack>
  );
}

function CreatePlan({ onCreated }: { onCreated: (plan: PlanJson) => void }) {
  const create = useCreatePlan();
  const [code, setCode] = useState("");
  const [draft, setDraft] = useState<Draft>({ name: "", price: "", currency: "USD", active: true });
  const [priceError, setPriceError] = useState<string | null>(null);
  const error = create.error instanceof ApiError ? create.error : null;
  const refs = useFieldFocus(error, priceError);
  const named = ["code", "name", "monthlyPriceMinor", "currency", "active"].some((f) =>
    error?.fieldMessage(f),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const monthlyPriceMinor = toMinor(draft.price);
    setPriceError(monthlyPriceMinor === null ? NO_PRICE : null);
    if (monthlyPriceMinor === null) return;
    const { price: _, ...values } = draft;
    create.mutate(
      { code: code.trim(), ...values, monthlyPriceMinor },
      {
        onSuccess: (plan) => {
          setCode("");
          setDraft({ name: "", price: "", currency: draft.currency, active: true });
          onCreated(plan);
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" maw={640}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">
            Add a plan
          </Title>
          <TextInput
            ref={refs.code}
            label="Code"
            description="2 to 40 lowercase letters, digits, - or _, starting with a letter, e.g. growth-annual; it cannot change later"
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={error?.fieldMessage("code")}
          />
          <PlanFields
            draft={draft}
            onChange={setDraft}
            error={error}
            priceError={priceError}
            refs={refs}
          />
          {create.error && !named ? (
            <Alert color="red" role="alert">
              The plan was not added: {create.error.message}
            </Alert>
          ) : null}
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add plan
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function EditPlan({
  plan,
  onClose,
  onSaved,
}: {
  plan: PlanJson;
  onClose: () => void;
  onSaved: (plan: PlanJson, what: string[]) => void;
}) {
  const change = useChangePlan();
  const [draft, setDraft] = useState<Draft>({
    name: plan.name,
    price: plan.monthlyPriceMinor / 100,
    currency: plan.currency,
    active: plan.active,
  });
  const [priceError, setPriceError] = useState<string | null>(null);
  const error = change.error instanceof ApiError ? change.error : null;
  const refs = useFieldFocus(error, priceError);
  const named = ["name", "monthlyPriceMinor", "currency", "active"].some((f) =>
    error?.fieldMessage(f),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const monthlyPriceMinor = toMinor(draft.price);
    setPriceError(monthlyPriceMinor === null ? NO_PRICE : null);
    if (monthlyPriceMinor === null) return;
    // Only what changed is sent, so a colleague's change to another field is not undone.
    const body: Partial<PlanValues> = {};
    if (draft.name.trim() !== plan.name) body.name = draft.name;
    if (monthlyPriceMinor !== plan.monthlyPriceMinor) body.monthlyPriceMinor = monthlyPriceMinor;
    if (draft.currency.trim().toUpperCase() !== plan.currency) body.currency = draft.currency;
    if (draft.active !== plan.active) body.active = draft.active;
    if (Object.keys(body).length === 0) return onSaved(plan, []);
    change.mutate(
      { id: plan.id, body },
      {
        onSuccess: (saved) => {
          const what: string[] = [];
          if (body.name !== undefined) what.push(`renamed from “${plan.name}”`);
          if (body.monthlyPriceMinor !== undefined || body.currency !== undefined)
            what.push(
              `now ${formatMoney(saved.monthlyPriceMinor, saved.currency)} a seat a month (was ${formatMoney(plan.monthlyPriceMinor, plan.currency)})`,
            );
          if (body.active !== undefined) what.push(saved.active ? "on sale" : "taken off sale");
          onSaved(saved, what);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        <Text size="sm">
          Code: <Code>{plan.code}</Code>
        </Text>
        <PlanFields
          draft={draft}
          onChange={setDraft}
          error={error}
          priceError={priceError}
          refs={refs}
        />
        {change.error && !named ? (
          <Alert color="red" role="alert">
            The plan was not changed: {change.error.message}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={change.isPending}>
            Save changes
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
