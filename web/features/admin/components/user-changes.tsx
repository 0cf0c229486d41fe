// A user's role and password, changed by an admin. Both end the user's sessions, so both ask
// first. A role that cannot hold the cases the user has open (a CSM made an account manager keeps
// escalations nobody else can decide) needs a successor for them first: the dialog asks for one,
// hands the cases over, then changes the role (the server refuses the change otherwise).
import {
  Alert,
  Button,
  Group,
  List,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Text,
} from "@mantine/core";
import { useState } from "react";
import { type CaseSlot, mayHoldCaseSlot, type StaffRole } from "../../../../src/domain/staff.ts";
import { ApiError } from "../../../lib/api-client.ts";
import { ROLE_LABELS } from "../../../lib/format.ts";
import type { UserJson } from "../../../lib/types.ts";
import { useChangeRole, useOpenCaseCounts, useSaveUser } from "../api/admin.ts";
import { plural, SLOT_LABELS } from "./deactivate-user.tsx";

const ROLE_OPTIONS = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

/** "an Account manager", "a Customer success manager". */
const withArticle = (label: string) => `${/^[aeiou]/i.test(label) ? "an" : "a"} ${label}`;

/** What the page reports after a change: a sentence, in the page's status area. */
export type ChangeReport = string;

export function RoleSelect({
  user,
  staff,
  onDone,
}: {
  user: UserJson;
  staff: readonly UserJson[];
  onDone: (report: ChangeReport) => void;
}) {
  const [role, setRole] = useState<StaffRole | null>(null);
  const [successors, setSuccessors] = useState<Partial<Record<CaseSlot, string | null>>>({});
  const counts = useOpenCaseCounts(user.id, role !== null);
  const change = useChangeRole();
  const close = () => {
    setRole(null);
    setSuccessors({});
    change.reset();
  };
  const label = (role && ROLE_LABELS[role]) || "";
  // The slots whose open cases the new role cannot hold: each needs someone who can.
  const stranded = (["am", "csm"] as const).filter(
    (slot) => role && (counts.data?.[slot] ?? 0) > 0 && !mayHoldCaseSlot(slot, role),
  );
  const candidates = (slot: CaseSlot) =>
    staff
      .filter((u) => u.active && u.id !== user.id && mayHoldCaseSlot(slot, u.role))
      .map((u) => ({ value: u.id, label: u.name }));
  const ready = !counts.isPending && !counts.error && stranded.every((slot) => successors[slot]);
  return (
    <>
      <Select
        aria-label={`Role of ${user.name}`}
        data={ROLE_OPTIONS}
        value={user.role}
        allowDeselect={false}
        onChange={(next) => next && next !== user.role && setRole(next as StaffRole)}
        size="xs"
        disabled={!user.active}
      />
      <Modal
        opened={role !== null}
        onClose={close}
        title={`Make ${user.name} ${withArticle(label)}?`}
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Text size="sm">
            {user.name} is signed out everywhere and signs in again with the {label.toLowerCase()}{" "}
            role's rights.
          </Text>
          {counts.isPending ? (
            <Text size="sm">Counting their open cases…</Text>
          ) : counts.error ? (
            <Alert color="red" role="alert">
              Their open cases could not be counted: {counts.error.message}
            </Alert>
          ) : (
            stranded.map((slot) => {
              const n = counts.data[slot];
              return (
                <Select
                  key={slot}
                  label={`Give the ${plural(n, "open case")} where ${user.name} is the ${SLOT_LABELS[slot].holds} to`}
                  description={`${withArticle(label.toLowerCase()).replace(/^a/, "A")} cannot hold ${n === 1 ? "it" : "them"}.`}
                  data={candidates(slot)}
                  value={successors[slot] ?? null}
                  onChange={(id) => setSuccessors({ ...successors, [slot]: id })}
                  searchable
                  required
                  nothingFoundMessage="No active colleague holds the role this needs"
                />
              );
            })
          )}
          {change.error ? (
            <Alert color="red" role="alert">
              {change.error.message}
            </Alert>
          ) : null}
          {change.data && !change.data.user && change.data.handOver ? (
            <Alert color="yellow" role="alert" title="The role is unchanged">
              <Text size="sm">
                {change.data.handOver.moved.length > 0
                  ? `${plural(change.data.handOver.moved.length, "open case")} went to the colleague you chose, but `
                  : ""}
                {plural(change.data.handOver.notMoved.length, "case")} could not be handed over, so{" "}
                {user.name} keeps the role they have:
              </Text>
              <List size="sm">
                {change.data.handOver.notMoved.map((n) => (
                  <List.Item key={n.caseId}>
                    {n.reference}: {n.message}
                  </List.Item>
                ))}
              </List>
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Go back
            </Button>
            <Button
              disabled={!ready}
              loading={change.isPending}
              onClick={() =>
                role &&
                change.mutate(
                  {
                    id: user.id,
                    role,
                    successors: {
                      amSuccessorId: stranded.includes("am") ? (successors.am ?? null) : null,
                      csmSuccessorId: stranded.includes("csm") ? (successors.csm ?? null) : null,
                    },
                  },
                  {
                    onSuccess: ({ user: changed, handOver }) => {
                      const moved = handOver?.moved.length ?? 0;
                      // A case the hand-over could not move keeps the role as it was: the
                      // dialog stays open and says which (see `stopped` below).
                      if (!changed) return;
                      onDone(
                        `${user.name} is now ${withArticle(label.toLowerCase())}${moved > 0 ? `; ${plural(moved, "open case")} went to the colleague you chose` : ""}.`,
                      );
                      close();
                    },
                  },
                )
              }
            >
              Change the role
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

export function ResetPasswordButton({
  user,
  onDone,
}: {
  user: UserJson;
  onDone: (report: ChangeReport) => void;
}) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const save = useSaveUser();
  const close = () => {
    setOpen(false);
    setPassword("");
    save.reset();
  };
  const error = save.error instanceof ApiError ? save.error : null;
  const locked = !!user.lockedUntil && new Date(user.lockedUntil) > new Date();
  return (
    <>
      <Button
        size="xs"
        variant="default"
        aria-label={`Reset password of ${user.name}`}
        onClick={() => setOpen(true)}
      >
        Reset password
      </Button>
      <Modal
        opened={open}
        onClose={close}
        title={`Reset the password of ${user.name}?`}
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate(
              { id: user.id, body: { password } },
              {
                onSuccess: () => {
                  onDone(
                    `${user.name}'s password is changed${locked ? " and their sign-in unlocked" : ""}: they are signed out everywhere. Give them the new password in person or by phone.`,
                  );
                  close();
                },
              },
            );
          }}
        >
          <Stack>
            <PasswordInput
              label="New password"
              description="At least 12 characters"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={error?.fieldMessage("password")}
              required
              data-autofocus
            />
            {error && !error.fieldMessage("password") ? (
              <Alert color="red" role="alert">
                {error.message}
              </Alert>
            ) : null}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Go back
              </Button>
              <Button type="submit" loading={save.isPending}>
                Set the new password
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
