// The policy's seven steps as the engine reports them: done, current, blocked (with what it
// waits for), pending or skipped, each with its recorded evidence (who, when, how).
import { Badge, Group, List, Paper, Stack, Text, ThemeIcon } from "@mantine/core";
import type { ChecklistItem } from "../../../lib/types.ts";

const STATUS: Record<ChecklistItem["status"], { label: string; color: string; mark: string }> = {
  done: { label: "Done", color: "green", mark: "✓" },
  current: { label: "Current", color: "indigo", mark: "●" },
  blocked: { label: "Blocked", color: "orange", mark: "!" },
  pending: { label: "Pending", color: "gray", mark: "○" },
  skipped: { label: "Skipped", color: "gray", mark: "–" },
};

export function ProgressRail({ checklist }: { checklist: ChecklistItem[] }) {
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
                      Waiting: {step.blockedBy.message}
                    </Text>
                  ) : null}
                  {step.evidence.length > 0 ? (
                    <List size="xs" spacing={2}>
                      {step.evidence.map((line) => (
                        <List.Item key={line}>{line}</List.Item>
                      ))}
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
