// The case's notes and its audit timeline (append-only, hash-chained entries from the server).
import { Button, Code, Group, Paper, Stack, Text, Textarea, Timeline, Title } from "@mantine/core";
import { useState } from "react";
import { formatDateTime, humanize } from "../../../lib/format.ts";
import type { CaseView } from "../../../lib/types.ts";
import { useCaseTimeline } from "../api/cases.ts";
import type { RunCommand } from "./case-actions.tsx";

export function actorName(actor: unknown, names: Map<string, string>): string {
  if (!actor || typeof actor !== "object") return "—";
  const a = actor as { kind: string; userId?: string; role?: string };
  if (a.kind === "staff") return names.get(a.userId ?? "") ?? humanize(a.role);
  if (a.kind === "customer") return "The customer";
  return "CancelDesk";
}

/** "csm_outcome_recorded" -> "CSM outcome recorded". */
export function eventTitle(type: string): string {
  return humanize(type).replace(/\bcsm\b/gi, "CSM");
}

export function CaseNotes({
  view,
  names,
  run,
  canAdd,
}: {
  view: CaseView;
  names: Map<string, string>;
  run: RunCommand;
  canAdd: boolean;
}) {
  const [text, setText] = useState("");
  return (
    <Paper withBorder p="sm">
      <Stack gap="xs">
        <Title order={3} size="h5">
          Notes
        </Title>
        {view.case.notes.length === 0 ? (
          <Text size="sm" c="dimmed">
            No notes yet.
          </Text>
        ) : null}
        {view.case.notes.map((n) => (
          <Text size="sm" key={n.number}>
            <strong>{actorName(n.writtenBy, names)}</strong>, {formatDateTime(n.writtenAt)}:{" "}
            {n.text}
          </Text>
        ))}
        {canAdd ? (
          <>
            <Textarea
              label="New note"
              autosize
              minRows={2}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
            />
            <Group>
              <Button
                variant="default"
                disabled={!text.trim()}
                onClick={async () => (await run("notes", { text })).ok && setText("")}
              >
                Add note
              </Button>
            </Group>
          </>
        ) : null}
      </Stack>
    </Paper>
  );
}

export function CaseTimeline({
  id,
  version,
  names,
}: {
  id: string;
  version: number;
  names: Map<string, string>;
}) {
  const timeline = useCaseTimeline(id, version);
  return (
    <Paper withBorder p="sm">
      <Title order={3} size="h5" mb="sm">
        Timeline
      </Title>
      <Timeline bulletSize={14} lineWidth={2}>
        {(timeline.data?.items ?? []).map((entry) => (
          <Timeline.Item key={entry.seq} title={eventTitle(entry.type)}>
            <Text size="xs" c="dimmed">
              {formatDateTime(entry.at)} · {actorName(entry.actor, names)} · version{" "}
              {entry.caseVersion}
            </Text>
            <Text size="xs" c="dimmed">
              hash <Code>{entry.hash.slice(0, 12)}</Code>
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Paper>
  );
}
