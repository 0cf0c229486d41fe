// The policy's seven steps as the engine reports them: done, current, blocked (with what it
// waits for), pending or skipped, each with its recorded evidence (who, when, how): staff by
// name and instants in the reader's locale and time zone.
import { Badge, Group, List, Paper, Stack, Text, ThemeIcon } from "@mantine/core";
import { formatDateTime, localTimesIn } from "../../../lib/format.ts";
import type { ChecklistItem, EvidencePart } from "../../../lib/types.ts";

const STATUS: Record<ChecklistItem["status"], { label: string; color: string; mark: string }> = {
  done: { label: "Done", color: "green", mark: "✓" },
  current: { label: "Current", color: "indigo", mark: "●" },
  blocked: { label: "Blocked", color: "orange", mark: "!" },
  pending: { label: "Pending", color: "gray", mark: "○" },
  skipped: { label: "Skipped", color: "gray", mark: "–" },
};

/** One evidence line: words as they are, an instant as a <time>, a user by name when known. */
export function EvidenceLine({
  parts,
  names,
}: {
  parts: EvidencePart[];
  names: ReadonlyMap<string, string>;
}) {
  return (
    <>
      {parts.map((part, index) => {
        const key = `${index}`;
        if ("at" in part)
          return (
            <time key={key} dateTime={part.at} title={part.at}>
              {formatDateTime(part.at)}
            </time>
          );
        if ("userId" in part)
          return <span key={key}>{names.get(part.userId) ?? "a staff member"}</span>;
        return <span key={key}>{part.text}</span>;
      })}
    </>
  );
}

export function ProgressRail({
  checklist,
  names = new Map(),
}: {
  checklist: ChecklistItem[];
  /** Staff user id -> name, for the evidence. */
  names?: ReadonlyMap<string, string>;
}) {
  return (
    <nav aria-label="Policy steps">
      <Stack gap="xs" component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }}>
        {checklist.map((step) => {
          const s = STATUS[step.status];
          const active = step.status === "current" || step.status === "blocked";
          return (
            <Paper
              key={step.key}
              component="li"
              withBorder
              p="sm"
              aria-current={active ? "step" : undefined}
              data-status={step.status}
              data-testid={`step-${step.number}`}
              style={
                active
                  ? { borderColor: `var(--mantine-color-${s.color}-6)`, borderWidth: 2 }
                  : undefined
              }
            >
              <Group gap="sm" wrap="nowrap" align="flex-start">
                <ThemeIcon color={s.color} radius="xl" size="md" aria-hidden>
                  {s.mark}
                </ThemeIcon>
                <Stack gap={4} style={{ flex: 1 }}>
                  <Group justify="space-between" gap="xs">
                    <Text fw={600} size="sm">
                      {step.number}. {step.title}
                    </Text>
                    <Badge color={s.color} variant="light" size="sm" style={{ flexShrink: 0 }}>
                      {s.label}
                    </Badge>
                  </Group>
                  {step.blockedBy ? (
                    <Text size="sm" c="#8a3200">
                      Waiting: {localTimesIn(step.blockedBy.message)}
                    </Text>
                  ) : null}
                  {step.evidence.length > 0 ? (
                    <List size="xs" spacing={2}>
                      {(step.evidenceParts ?? step.evidence.map((text) => [{ text }])).map(
                        (parts, index) => (
                          <List.Item key={step.evidence[index] ?? index}>
                            <EvidenceLine parts={parts} names={names} />
                          </List.Item>
                        ),
                      )}
                    </List>
                  ) : null}
                </Stack>
              </Group>
            </Paper>
          );
        })}
      </Stack>
    </nav>
  );
}
