// For admins, on the account page: "Add subscription" and "Edit" per subscription (plan, seats,
// value, currency, period, status). Subscriptions belong to the billing system of record, and a
// customer's cancellation goes through a case: the server refuses a direct one, and the form says
// why in a sentence. A change is sent with the version the page loaded (409 SUBSCRIPTION_CHANGED).
import { Button, Group, NumberInput, Select, SimpleGrid, TextInput } from "@mantine/core";
import { useState } from "react";
import { humanize } from "../../../lib/format.ts";
import type { PlanJson, SubscriptionJson } from "../../../lib/types.ts";
import { useSaveSubscription } from "../api/accounts.ts";
import {
  changedFields,
  fieldError,
  orNull,
  RecordFormModal,
  SaveProblem,
  useRecordForm,
} from "./save-problem.tsx";

const FIELDS = [
  "planId",
  "externalRef",
  "seats",
  "monthlyValueMinor",
  "currency",
  "status",
  "cancelAt",
  "cancelledAt",
  "currentPeriodStart",
  "currentPeriodEnd",
] as const;

/** The desk's words for refusals whose server sentence is written for API clients. */
const SENTENCES: Record<string, string> = {
  USE_REACTIVATION:
    "A scheduled cancellation is undone only by reactivating it, which its case records and tells the customer about; its status is not changed here.",
};

const STATUS_LABELS: Record<string, string> = {
  active: "Active",
  paused: "Paused",
  cancelled: "Cancelled (ended by billing, e.g. a failed payment)",
};

interface SubscriptionValues {
  planId: string | null;
  externalRef: string;
  seats: number | string;
  /** In major units (dollars), as people read a price. */
  monthlyValue: number | string;
  currency: string;
  status: SubscriptionJson["status"];
  currentPeriodStart: string;
  currentPeriodEnd: string;
}

/** A day as the date input holds it (the UTC day the API's instant falls on). */
const dayOf = (iso: string) => iso.slice(0, 10);

function valuesOf(s: SubscriptionJson | undefined): SubscriptionValues {
  const today = new Date();
  const nextMonth = new Date(today);
  nextMonth.setUTCMonth(today.getUTCMonth() + 1);
  return {
    planId: s?.planId ?? null,
    externalRef: s?.externalRef ?? "",
    seats: s?.seats ?? 1,
    monthlyValue: s ? s.monthlyValueMinor / 100 : "",
    currency: s?.currency ?? "",
    status: s?.status ?? "active",
    currentPeriodStart: dayOf(s?.currentPeriodStart ?? today.toISOString()),
    currentPeriodEnd: dayOf(s?.currentPeriodEnd ?? nextMonth.toISOString()),
  };
}

/** As the API takes it: money in minor units, days as ISO dates (midnight UTC). */
function bodyOf(v: SubscriptionValues) {
  return {
    planId: v.planId,
    externalRef: orNull(v.externalRef),
    seats: v.seats === "" ? null : Number(v.seats),
    monthlyValueMinor: v.monthlyValue === "" ? null : Math.round(Number(v.monthlyValue) * 100),
    currency: v.currency.trim().toUpperCase(),
    status: v.status,
    currentPeriodStart: v.currentPeriodStart,
    currentPeriodEnd: v.currentPeriodEnd,
  };
}

export function SubscriptionFormButton({
  accountId,
  subscription,
  plans,
  onSaved,
}: {
  accountId: string;
  /** The subscription as the page loaded it; none to add one. */
  subscription?: SubscriptionJson;
  plans: readonly PlanJson[];
  onSaved: (subscription: SubscriptionJson) => void;
}) {
  const [open, setOpen] = useState(false);
  const name = subscription ? (subscription.externalRef ?? subscription.id.slice(0, 8)) : "";
  return (
    <>
      {subscription ? (
        <Button
          size="compact-sm"
          variant="default"
          aria-label={`Edit subscription ${name}`}
          onClick={() => setOpen(true)}
        >
          Edit
        </Button>
      ) : (
        <Button variant="default" onClick={() => setOpen(true)}>
          Add subscription
        </Button>
      )}
      {open ? (
        <SubscriptionForm
          accountId={accountId}
          subscription={subscription}
          title={subscription ? `Edit subscription ${name}` : "Add a subscription"}
          plans={plans}
          onClose={() => setOpen(false)}
          onSaved={(saved) => {
            setOpen(false);
            onSaved(saved);
          }}
        />
      ) : null}
    </>
  );
}

function SubscriptionForm({
  accountId,
  subscription,
  title,
  plans,
  onClose,
  onSaved,
}: {
  accountId: string;
  subscription: SubscriptionJson | undefined;
  title: string;
  plans: readonly PlanJson[];
  onClose: () => void;
  onSaved: (subscription: SubscriptionJson) => void;
}) {
  const form = useRecordForm(subscription, valuesOf, "/api/subscriptions", [
    ["subscriptions", accountId],
  ]);
  const { base, values: v, setValues } = form;
  const save = useSaveSubscription();
  const set = (patch: Partial<SubscriptionValues>) => setValues({ ...v, ...patch });
  const error = save.error;
  const submit = () => {
    const body = bodyOf(v);
    if (!base) {
      save.mutate({ body: { accountId, ...body } }, { onSuccess: onSaved });
      return;
    }
    const changes: Record<string, unknown> = changedFields(bodyOf(valuesOf(base)), body);
    // Billing reports an ending it made as of now.
    if (changes.status === "cancelled") changes.cancelledAt = new Date().toISOString();
    save.mutate(
      { id: base.id, body: { ...changes, expectedVersion: base.version } },
      { onSuccess: onSaved },
    );
  };
  const planOptions = plans
    .filter((p) => p.active || p.id === base?.planId)
    .map((p) => ({ value: p.id, label: `${p.name} (${p.currency})` }));
  // The statuses billing sets directly; "cancellation scheduled" only a case's processing sets.
  const statuses = Object.entries(STATUS_LABELS)
    .filter(([value]) => base || value !== "cancelled")
    .map(([value, label]) => ({ value, label }));
  if (base?.status === "cancellation_scheduled")
    statuses.unshift({ value: base.status, label: humanize(base.status) });
  return (
    <RecordFormModal
      title={title}
      what="subscription"
      size="lg"
      onClose={onClose}
      onSubmit={submit}
      reloadError={form.reloadError}
      problem={
        <SaveProblem
          error={error}
          what="subscription"
          changedCode="SUBSCRIPTION_CHANGED"
          fieldsShown={FIELDS}
          reloading={form.reloading}
          onReload={async () => {
            if (await form.reload()) save.reset();
          }}
          sentences={SENTENCES}
        />
      }
    >
      <Select
        label="Plan"
        required
        data={planOptions}
        value={v.planId}
        allowDeselect={false}
        onChange={(planId) => {
          const plan = plans.find((p) => p.id === planId);
          set({ planId, currency: plan?.currency ?? v.currency });
        }}
        error={fieldError(error, "planId")}
      />
      <TextInput
        label="External reference"
        description="The subscription's id in the billing system"
        value={v.externalRef}
        onChange={(e) => set({ externalRef: e.currentTarget.value })}
        error={fieldError(error, "externalRef")}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <NumberInput
          label="Seats"
          required
          min={1}
          allowDecimal={false}
          value={v.seats}
          onChange={(seats) => set({ seats })}
          error={fieldError(error, "seats")}
        />
        <NumberInput
          label="Monthly value"
          required
          min={0}
          decimalScale={2}
          value={v.monthlyValue}
          onChange={(monthlyValue) => set({ monthlyValue })}
          error={fieldError(error, "monthlyValueMinor")}
        />
        <TextInput
          label="Currency"
          required
          description="The plan's, e.g. USD"
          maxLength={3}
          value={v.currency}
          onChange={(e) => set({ currency: e.currentTarget.value })}
          error={fieldError(error, "currency")}
        />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Current period starts"
          type="date"
          required
          value={v.currentPeriodStart}
          onChange={(e) => set({ currentPeriodStart: e.currentTarget.value })}
          error={fieldError(error, "currentPeriodStart")}
        />
        <TextInput
          label="Current period ends"
          type="date"
          required
          value={v.currentPeriodEnd}
          onChange={(e) => set({ currentPeriodEnd: e.currentTarget.value })}
          error={fieldError(error, "currentPeriodEnd")}
        />
      </SimpleGrid>
      <Select
        label="Status"
        description="A customer's cancellation goes through a case: processing it schedules the cancellation, and reactivating it there undoes it."
        data={statuses}
        value={v.status}
        allowDeselect={false}
        onChange={(status) => status && set({ status: status as SubscriptionValues["status"] })}
        error={
          fieldError(error, "status") ??
          fieldError(error, "cancelAt") ??
          fieldError(error, "cancelledAt")
        }
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          {base ? "Save the subscription" : "Add the subscription"}
        </Button>
      </Group>
    </RecordFormModal>
  );
}
