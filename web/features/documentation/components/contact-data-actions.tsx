// For admins, on the account page: a contact's data export (download) and erasure on request,
// behind a confirmation dialog because it cannot be undone.
import { Alert, Button, Checkbox, Group, Modal, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { errorMessage } from "../../../lib/api-client.ts";
import { contactExportUrl, useEraseContact } from "../api/documentation.ts";

export function ContactDataActions({ contact }: { contact: { id: string; name: string } }) {
  const [open, setOpen] = useState(false);
  const [understood, setUnderstood] = useState(false);
  const erase = useEraseContact(contact.id);
  return (
    <Group gap="xs" wrap="nowrap">
      <Button
        component="a"
        size="compact-sm"
        variant="default"
        href={contactExportUrl(contact.id)}
        download={`contact-${contact.id}.json`}
      >
        Export data
      </Button>
      <Button size="compact-sm" color="red" variant="light" onClick={() => setOpen(true)}>
        Erase personal data
      </Button>
      <Modal
        opened={open}
        onClose={() => {
          setOpen(false);
          setUnderstood(false);
          erase.reset();
        }}
        title={`Erase ${contact.name}'s personal data`}
        closeButtonProps={{ "aria-label": "Close" }}
      >
        {erase.data ? (
          <Alert color="green" title="Erased">
            {erase.data.cases} case(s), {erase.data.auditEntriesRedacted} audit entries and{" "}
            {erase.data.messagesRedacted} message(s) redacted. The audit chain still verifies.
          </Alert>
        ) : (
          <Stack>
            <Text size="sm">
              The contact's name, email and phone, the free text of their cases (form answers,
              notes, feedback) and the messages sent to them are replaced. Outcomes, reasons and
              values stay, so reports do not change. This cannot be undone.
            </Text>
            <Checkbox
              label="The contact asked for erasure and I understand it cannot be undone"
              checked={understood}
              onChange={(e) => setUnderstood(e.currentTarget.checked)}
            />
            {erase.error ? <Alert color="red">{errorMessage(erase.error)}</Alert> : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button
                color="red"
                disabled={!understood}
                loading={erase.isPending}
                onClick={() => erase.mutate()}
              >
                Erase
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Group>
  );
}
