// "Add contact" and "Edit" per contact on the account page: name, email, phone, role, authorised
// to cancel, preferred channel. A change is sent with the version the page loaded (409
// CONTACT_CHANGED when someone changed the contact meanwhile). The form says who may request a
// cancellation, as the policy has it, and that changing where a requester is reached is recorded
// on their open case.
import { Button, Checkbox, Group, Select, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { mayRequestCancellation } from "../../../../src/domain/customer.ts";
import type { ContactJson } from "../../../lib/types.ts";
import { useSaveContact } from "../api/accounts.ts";
import {
  changedFields,
  fieldError,
  orNull,
  RecordFormModal,
  SaveProblem,
  useRecordForm,
} from "./save-problem.tsx";

export const CONTACT_ROLE_LABELS: Record<string, string> = {
  owner: "Owner",
  billing_admin: "Billing admin",
  user: "User",
};
export const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  phone: "Phone call",
  sms: "Text message (SMS)",
};
const options = (labels: Record<string, string>) =>
  Object.entries(labels).map(([value, label]) => ({ value, label }));
const FIELDS = [
  "name",
  "email",
  "phone",
  "role",
  "authorisedToCancel",
  "preferredChannel",
] as const;

interface ContactValues {
  name: string;
  email: string;
  phone: string;
  role: ContactJson["role"];
  authorisedToCancel: boolean;
  preferredChannel: ContactJson["preferredChannel"];
}

function valuesOf(c: ContactJson | undefined): ContactValues {
  return {
    name: c?.name ?? "",
    email: c?.email ?? "",
    phone: c?.phone ?? "",
    role: c?.role ?? "user",
    authorisedToCancel: c?.authorisedToCancel ?? false,
    preferredChannel: c?.preferredChannel ?? "email",
  };
}

/** As the API takes it: "" is none; a phone typed with spaces or dashes sent as digits. */
function bodyOf(v: ContactValues) {
  const phone = orNull(v.phone);
  return {
    name: v.name.trim(),
    email: orNull(v.email),
    phone: phone?.replace(/[\s().-]/g, "") ?? null,
    role: v.role,
    authorisedToCancel: v.authorisedToCancel,
    preferredChannel: v.preferredChannel,
  };
}

export function ContactFormButton({
  accountId,
  contact,
  onSaved,
}: {
  accountId: string;
  /** The contact as the page loaded it; none to add one. */
  contact?: ContactJson;
  onSaved: (contact: ContactJson) => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <>
      {contact ? (
        <Button
          size="compact-sm"
          variant="default"
          aria-label={`Edit ${contact.name}`}
          onClick={() => setOpen(true)}
        >
          Edit
        </Button>
      ) : (
        <Button variant="default" onClick={() => setOpen(true)}>
          Add contact
        </Button>
      )}
      {open ? (
        <ContactForm
          accountId={accountId}
          contact={contact}
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

function ContactForm({
  accountId,
  contact,
  onClose,
  onSaved,
}: {
  accountId: string;
  contact: ContactJson | undefined;
  onClose: () => void;
  onSaved: (contact: ContactJson) => void;
}) {
  const form = useRecordForm(contact, valuesOf, "/api/contacts", [["contacts", accountId]]);
  const { base, values: v, setValues } = form;
  const save = useSaveContact();
  const set = (patch: Partial<ContactValues>) => setValues({ ...v, ...patch });
  const error = save.error;
  const submit = () => {
    const body = bodyOf(v);
    save.mutate(
      base
        ? {
            id: base.id,
            body: { ...changedFields(bodyOf(valuesOf(base)), body), expectedVersion: base.version },
          }
        : { body: { accountId, ...body } },
      { onSuccess: onSaved },
    );
  };
  const mayCancel = mayRequestCancellation(v);
  return (
    <RecordFormModal
      title={base ? `Edit ${base.name}` : "Add a contact"}
      what="contact"
      onClose={onClose}
      onSubmit={submit}
      reloadError={form.reloadError}
      problem={
        <SaveProblem
          error={error}
          what="contact"
          changedCode="CONTACT_CHANGED"
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
        label="Email"
        type="email"
        value={v.email}
        onChange={(e) => set({ email: e.currentTarget.value })}
        error={fieldError(error, "email")}
      />
      <TextInput
        label="Phone"
        type="tel"
        description="In international form, with the country code: +1 404 555 0159"
        value={v.phone}
        onChange={(e) => set({ phone: e.currentTarget.value })}
        error={fieldError(error, "phone")}
      />
      <Select
        label="Preferred channel"
        description="Identity codes, the form's link and the confirmation go this way"
        data={options(CHANNEL_LABELS)}
        value={v.preferredChannel}
        allowDeselect={false}
        onChange={(c) => c && set({ preferredChannel: c as ContactValues["preferredChannel"] })}
        error={fieldError(error, "preferredChannel")}
      />
      <Select
        label="Role"
        data={options(CONTACT_ROLE_LABELS)}
        value={v.role}
        allowDeselect={false}
        onChange={(role) => role && set({ role: role as ContactValues["role"] })}
        error={fieldError(error, "role")}
      />
      <Checkbox
        label="Authorised to cancel"
        checked={v.authorisedToCancel}
        onChange={(e) => set({ authorisedToCancel: e.currentTarget.checked })}
        error={fieldError(error, "authorisedToCancel")}
      />
      <Text size="sm" c="dimmed" data-testid="who-may-cancel">
        Only an owner or a billing admin who is authorised to cancel may request a cancellation.{" "}
        {mayCancel
          ? "This contact may."
          : v.authorisedToCancel
            ? "As a user, this contact may not, even when authorised: make them an owner or billing admin first."
            : "This contact may not."}
      </Text>
      {base ? (
        <Text size="sm" c="dimmed">
          If this contact has asked to cancel and the case is open, a change to their email, phone
          or preferred channel is recorded on that case: its codes and links go to these details.
        </Text>
      ) : null}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending}>
          {base ? "Save the contact" : "Add the contact"}
        </Button>
      </Group>
    </RecordFormModal>
  );
}
