// Deactivating a user asks first, like every irreversible admin action, and asks what becomes of
// their open cases: the dialog counts them (as assigned AM, as assigned CSM) and lets the admin
// give each kind to an eligible colleague or leave them; the page then reports what moved.
import { Alert, Button, Group, List, Modal, Select, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { type CaseSlot, mayHoldCaseSlot } from "../../../../src/domain/staff.ts";
import type { UserJson } from "../../../lib/types.ts";
import {
  type DeactivationOutcome,
  type OpenCaseCounts,
  type Successors,
  useOpenCaseCounts,
} from "../api/admin.ts";

export const SLOT_LABELS: Record<CaseSlot, { holds: string; field: keyof Successors }> = {
  am: { holds: "assigned AM", field: "amSuccessorId" },
  csm: { holds: "assigned CSM", field: "csmSuccessorId" },
};

export function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** "3 open cases (2 as assigned AM, 1 as assigned CSM)", or "no open cases". */
export function describeOpenCases(counts: OpenCaseCounts): string {
  const total = counts.am + counts.csm;
  if (total === 0) return "no open cases";
  const parts = (["am", "csm"] as const)
    .filter((slot) => counts[slot] > 0)
    .map((slot) => `${counts[slot]} as ${SLOT_LABELS[slot].holds}`);
  return `${plural(total, "open case")} (${parts.join(", ")})`;
}

export function DeactivateUserButton({
  user,
  staff,
  onConfirm,
}: {
  user: UserJson;
  /** Everyone the list shows: the successors are picked from them. */
  staff: readonly UserJson[];
  onConfirm: (successors: Successors) => void;
}) {
  const [open, setOpen] = useState(false);
  const [successors, setSuccessors] = useState<Successors>({
    amSuccessorId: null,
    csmSuccessorId: null,
  });
  const counts = useOpenCaseCounts(user.id, open);
  const close = () => {
    setOpen(false);
    setSuccessors({ amSuccessorId: null, csmSuccessorId: null });
  };
  // The people the reassign command takes for the slot: active, with its role, not this user.
  const candidates = (slot: CaseSlot) =>
    staff
      .filter((u) => u.active && u.id !== user.id && mayHoldCaseSlot(slot, u.role))
      .map((u) => ({ value: u.id, label: u.name }));
  return (
    <>
      <Button
        size="xs"
        variant="default"
        aria-label={`Deactivate ${user.name}`}
        onClick={() => setOpen(true)}
      >
        Deactivate
      </Button>
      <Modal
        opened={open}
        onClose={close}
        title={`Deactivate ${user.name}?`}
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Text size="sm">
            {user.name} is signed out everywhere at once and cannot sign in until an admin
            reactivates them.
          </Text>
          {counts.isPending ? (
            <Text size="sm">Counting their open cases…</Text>
          ) : counts.error ? (
            <Alert color="red" role="alert">
              Their open cases could not be counted: {counts.error.message}
            </Alert>
          ) : (
            <Text size="sm">
              {user.name} holds {describeOpenCases(counts.data)}.
              {counts.data.am + counts.data.csm > 0
                ? " Give them to a colleague, or leave them with the deactivated user."
                : ""}
            </Text>
          )}
          {counts.data
            ? (["am", "csm"] as const)
                .filter((slot) => counts.data[slot] > 0)
                .map((slot) => {
                  const { holds, field } = SLOT_LABELS[slot];
                  return (
                    <Select
                      key={slot}
                      label={`Give the ${plural(counts.data[slot], "case")} where ${user.name} is the ${holds} to`}
                      placeholder={`Leave them with ${user.name}`}
                      data={candidates(slot)}
                      value={successors[field]}
                      onChange={(id) => setSuccessors({ ...successors, [field]: id })}
                      searchable
                      clearable
                      nothingFoundMessage="No active colleague holds the role this needs"
                    />
                  );
                })
            : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Go back
            </Button>
            <Button
              color="red"
              onClick={() => {
                onConfirm(successors);
                close();
              }}
            >
              Deactivate the user
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

/** What the page says once a deactivation is done: who is out, what moved, what stays. */
export function DeactivationReport({
  outcome,
  staff,
}: {
  outcome: DeactivationOutcome;
  staff: readonly UserJson[];
}) {
  const { user, handOver, handOverError, left } = outcome;
  const nameOf = (id: string) => staff.find((u) => u.id === id)?.name ?? id;
  const movedTo = new Map<string, number>();
  for (const m of handOver?.moved ?? []) {
    movedTo.set(m.toUserId, (movedTo.get(m.toUserId) ?? 0) + 1);
  }
  return (
    <Alert color={handOverError || handOver?.notMoved.length ? "yellow" : "green"} role="status">
      <Stack gap="xs">
        <Text size="sm">{user.name} is deactivated.</Text>
        {[...movedTo].map(([id, n]) => (
          <Text size="sm" key={id}>
            {plural(n, "open case")} moved to {nameOf(id)}.
          </Text>
        ))}
        {handOverError ? (
          <Text size="sm">Their open cases were not handed over: {handOverError}</Text>
        ) : null}
        {handOver?.notMoved.length ? (
          <>
            <Text size="sm">Not moved:</Text>
            <List size="sm">
              {handOver.notMoved.map((n) => (
                <List.Item key={n.caseId}>
                  {n.reference}: {n.message} ({n.code})
                </List.Item>
              ))}
            </List>
          </>
        ) : null}
        <Text size="sm">
          {left.am + left.csm === 0
            ? `${user.name} holds no open cases.`
            : `${user.name} still holds ${describeOpenCases(left)}.`}
        </Text>
      </Stack>
    </Alert>
  );
}
