// The knowledge-base article "What do I do if someone wants to cancel?", rendered from the policy
// definition the engine enforces (GET /api/policy), so the two can never disagree. Printable.
import { Blockquote, Button, Group, List, Loader, Stack, Text, Title } from "@mantine/core";
import { ErrorPanel } from "../../../components/error-panel.tsx";
import { formatDateTime } from "../../../lib/format.ts";
import { useCurrentPolicy } from "../../admin/api/admin.ts";

export function PolicyArticle() {
  const policy = useCurrentPolicy();
  if (policy.isPending) return <Loader role="status" aria-label="Loading the policy" />;
  if (policy.error && !policy.data) return <ErrorPanel error={policy.error} />;
  const p = policy.data.definition;
  return (
    <article className="policy-article" style={{ maxWidth: 820 }}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <Title order={1}>{p.articleTitle}</Title>
          <Button className="no-print" variant="default" onClick={() => window.print()}>
            Print
          </Button>
        </Group>
        <Text size="sm" c="dimmed">
          {p.name}, version {policy.data.version}, published{" "}
          {formatDateTime(policy.data.publishedAt)}
        </Text>
        <section>
          <Title order={2} size="h3">
            Objective
          </Title>
          <Text>{p.objective}</Text>
        </section>
        <section>
          <Title order={2} size="h3">
            Scope
          </Title>
          <Text>{p.scope}</Text>
        </section>
        <Title order={2} size="h3">
          Procedure
        </Title>
        {p.steps.map((step) => (
          <section key={step.key}>
            <Title order={3} size="h4">
              {step.number}. {step.title}
            </Title>
            <Text style={{ whiteSpace: "pre-line" }}>{step.policyText}</Text>
            <Text size="sm" mt="xs">
              <strong>How:</strong> {step.guidance}
            </Text>
            <Blockquote p="sm" mt="xs" color="gray">
              <Text size="sm">
                <strong>You might say:</strong> {step.script}
              </Text>
            </Blockquote>
          </section>
        ))}
        <section>
          <Title order={2} size="h3">
            Reasons customers give
          </Title>
          <List size="sm">
            {p.reasons.map((r) => (
              <List.Item key={r.code}>{r.label}</List.Item>
            ))}
          </List>
        </section>
        <section>
          <Title order={2} size="h3">
            Offers we can make
          </Title>
          <List size="sm">
            {p.offers.map((o) => (
              <List.Item key={o.code}>
                <strong>{o.label}</strong>: {o.description}
              </List.Item>
            ))}
          </List>
        </section>
        <section>
          <Title order={2} size="h3">
            Note
          </Title>
          <Text>{p.note}</Text>
        </section>
      </Stack>
    </article>
  );
}
