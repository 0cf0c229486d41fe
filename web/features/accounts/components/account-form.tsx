// "New account" on the accounts list and "Edit account" on the account page: name, external
// reference, segment, country, time zone, AM and CSM. A change is sent with the version the page
// loaded, so one made meanwhile by someone else is refused (409 ACCOUNT_CHANGED), not overwritten.
import { Button, Group, Select, TextInput } from "@mantine/core";
import { useState } from "react";
import { SEGMENT_LABELS } from "../../../lib/format.ts";
import type { AccountJson, UserJson } from "../../../lib/types.ts";
import { useSaveAccount, useStaff } from "../api/accounts.ts";
import {
  changedFields,
  fieldError,
  orNull,
  RecordFormModal,
  SaveProblem,
  useRecordForm,
} from "./save-problem.tsx";

const SEGMENT_OPTIONS = Object.entries(SEGMENT_LABELS).map(([value, label]) => ({ value, label }));
const FIELDS = [
  "name",
  "externalRef",
  "segment",
  "country",
  "timeZone",
  "accountManagerId",
  "csmId",
] as const;

interface AccountValues {
  name: string;
  externalRef: string;
  segment: string;
  country: string;
  timeZone: string | null;
  accountManagerId: string | null;
  csmId: string | null;
}

function valuesOf(a: AccountJson | undefined): AccountValues {
  return {
    name: a?.name ?? "",
    externalRef: a?.externalRef ?? "",
    segment: a?.segment ?? "smb",
    country: a?.country ?? "",
    timeZone: a?.timeZone ?? null,
    accountManagerId: a?.accountManagerId ?? null,
    csmId: a?.csmId ?? null,
  };
}

/** The values as the API takes them: "" is none, a country in capitals. */
function bodyOf(v: AccountValues) {
  return {
    name: v.name.trim(),
    externalRef: orNull(v.externalRef),
    segment: v.segment,
    country: orNull(v.country)?.toUpperCase() ?? null,
    timeZone: v.timeZone,
    accountManagerId: v.accountManagerId,
    csmId: v.csmId,
  };
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

/** Active staff of a role, and the one the account names now even if they left, so it shows. */
function staffOptions(staff: readonly UserJson[], role: string, current: string | null) {
  return staff
    .filter((u) => (u.active && u.role === role) || u.id === current)
    .map((u) => ({ value: u.id, label: u.active ? u.name : `${u.name} (deactivated)` }));
}

export function AccountFormButton({
  account,
  onSaved,
}: {
  /** The account as the page loaded it; none to create one. */
  account?: AccountJson;
  onSaved: (account: AccountJson) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant={account ? "default" : "filled"} onClick={() => setOpen(true)}>
        {account ? "Edit account" : "New account"}
      </Button>
      {open ? (
        <AccountForm
          account={account}
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

function AccountForm({
  account,
  onClose,
  onSaved,
}: {
  account: AccountJson | undefined;
  onClose: () => void;
  onSaved: (account: AccountJson) => void;
}) {
  const form = useRecordForm(account, valuesOf, "/api/accounts", [
    ["accounts"],
    ["account", account?.id],
  ]);
  const { base, values: v, setValues } = form;
  const save = useSaveAccount();
  const staff = useStaff().data?.items ?? [];
  const set = (patch: Partial<AccountValues>) => setValues({ ...v, ...patch });
  const error = save.error;
  const submit = () => {
    const body = bodyOf(v);
    save.mutate(
      base
        ? {
            id: base.id,
            body: { ...changedFields(bodyOf(valuesOf(base)), body), expectedVersion: base.version },
          }
        : { body },
      { onSuccess: onSaved },
    );
  };
  return (
    <RecordFormModal
      title={base ? `Edit ${base.name}` : "New account"}
      what="account"
      onClose={onClose}
      onSubmit={submit}
      reloadError={form.reloadError}
      problem={
        <SaveProblem
          error={error}
          what="account"
          changedCode="ACCOUNT_CHANGED"
          fieldsShown={FIELDS}
          reloading={form.reloading}
          onReload={async () => {
            if (await form.reload()) save.reset();
          }}
        />
      }
    >
      <TextInput
        label="Name"
        required
        value={v.name}
        onChange={(e) => set({ name: e.currentTarget.value })}
        error={fieldError(error, "name")}
      />
      <TextInput
        label="External reference"
        description="The account's id in the CRM or billing system, if it has one"
        value={v.externalRef}
        onChange={(e) => set({ externalRef: e.currentTarget.value })}
        error={fieldError(error, "externalRef")}
      />
      <Select
        label="Segment"
        data={SEGMENT_OPTIONS}
        value={v.segment}
        allowDeselect={false}
        onChange={(segment) => segment && set({ segment })}
        error={fieldError(error, "segment")}
      />
      <TextInput
        label="Country"
        description="Two letters, e.g. US or GB"
        maxLength={2}
        value={v.country}
        onChange={(e) => set({ country: e.currentTarget.value })}
        error={fieldError(error, "country")}
      />
      <Select
        label="Time zone"
        description="Times in this customer's messages are in it; none: UTC"
        data={timeZones()}
        value={v.timeZone}
        onChange={(timeZone) => set({ timeZone })}
        searchable
        clearable
        limit={50}
        error={fieldError(error, "timeZone")}
      />
      <Select
        label="Account manager"
        data={staffOptions(staff, "account_manager", base?.accountManagerId ?? null)}
        value={v.accountManagerId}
        onChange={(accountManagerId) => set({ accountManagerId })}
        searchable
        clearable
        error={fieldError(error, "accountManagerId")}
      />
      <Select
        label="Customer success manager"
        data={staffOptions(staff, "csm", base?.csmId ?? null)}
        value={v.csmId}
        onChange={(csmId) => set({ csmId })}
        searchable
        clearable
        error={fieldError(error, "csmId")}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          {base ? "Save the account" : "Create the account"}
        </Button>
      </Group>
    </RecordFormModal>
  );
}
