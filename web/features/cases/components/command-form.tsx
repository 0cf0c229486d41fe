// One shape for a case command's form: a title, what the command does, labelled fields, one
// submit button. The answer is shown where it belongs: a field's problem (the API's `fields`)
// next to that field, a refusal (409, the policy rule's sentence) or any other error in the form.
// A form whose command cannot be undone, or may end the case, asks first in a dialog.
import {
  Alert,
  Button,
  Group,
  Modal,
  Paper,
  Radio,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { type FormEvent, Fragment, type ReactNode, useId, useState } from "react";
import { ApiError } from "../../../lib/api-client.ts";
import { localTimesIn } from "../../../lib/format.ts";
import type { ActionOption } from "../../../lib/types.ts";

/**
 * A problem the web app tells about an answer the server accepted: a wrong identity code is
 * recorded as a failed attempt (200), yet for the user it is not done. Shown under `field` when
 * the form has it, else in the form's alert with `title`.
 */
export class CommandProblem extends Error {
  readonly title: string;
  readonly field: string | undefined;

  constructor(title: string, message: string, field?: string) {
    super(message);
    this.name = "CommandProblem";
    this.title = title;
    this.field = field;
  }
}

/** What the dialog asks before the command runs: what will happen, and the button that does it. */
export interface Confirmation {
  title: string;
  message: ReactNode;
  confirmLabel: string;
}

/** What running a command gave: done, or the error to show (null when already handled). */
export type CommandOutcome = { ok: true } | { ok: false; error: Error | null };

export type RunCommand = (
  path: string,
  body?: Record<string, unknown>,
  /**
   * showErrorInline: the caller shows the problem where the user is. action: the action the
   * caller belongs to; while the case still offers it, a refusal is shown by the caller alone.
   */
  options?: { showErrorInline?: boolean; action?: ActionOption["kind"] },
) => Promise<CommandOutcome>;

export type Values = Record<string, string>;

export interface FieldSpec {
  /** The API's field name: the server's `fields[].field` for it is shown under the input. */
  name: string;
  label: string;
  kind: "text" | "textarea" | "select" | "radio";
  required?: boolean;
  description?: string;
  initial?: string;
  options?: { value: string; label: string }[];
  inputMode?: "numeric" | "text";
  autoComplete?: string;
  clearable?: boolean;
  /** Shown only when this answers true for the current values (e.g. a call outcome for phone). */
  when?: (values: Values) => boolean;
  /** Cleared after a successful submit (notes), or kept (a choice). */
  keep?: boolean;
  /** A warning shown under the input for the current values (what a choice would replace). */
  note?: (values: Values) => string | null;
}

export interface CommandFormProps {
  title: string;
  help?: ReactNode;
  path: string;
  /** The action in nextActions this form runs (see RunCommand's options). */
  action?: ActionOption["kind"];
  submitLabel: string | ((values: Values) => string);
  fields?: FieldSpec[];
  /** The request body from the form's values; by default the values as they are. */
  toBody?: (values: Values) => Record<string, unknown>;
  run: RunCommand;
  color?: string;
  /** Asked in a dialog before the command runs, when it answers a confirmation for the values. */
  confirm?: (values: Values) => Confirmation | null;
}

function initialValues(fields: FieldSpec[]): Values {
  return Object.fromEntries(fields.map((f) => [f.name, f.initial ?? ""]));
}

export function CommandForm(props: CommandFormProps) {
  const fields = props.fields ?? [];
  const [values, setValues] = useState<Values>(() => initialValues(fields));
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState<Confirmation | null>(null);
  const headingId = useId();
  const apiError = error instanceof ApiError ? error : null;
  const problem = error instanceof CommandProblem ? error : null;
  const fieldMessage = (name: string) =>
    apiError?.fieldMessage(name) ?? (problem?.field === name ? problem.message : undefined);
  const shown = fields.filter((f) => !f.when || f.when(values));
  // A problem that no visible field can show goes at the bottom of the form.
  const placed =
    apiError?.fields.some((f) => shown.some((s) => s.name === f.field)) ||
    shown.some((s) => s.name === problem?.field);
  const unplaced = error && !placed ? error : null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const confirmation = props.confirm?.(values) ?? null;
    if (confirmation) setAsking(confirmation);
    else await send();
  };
  const send = async () => {
    setAsking(null);
    setBusy(true);
    setError(null);
    try {
      const body = props.toBody ? props.toBody(values) : { ...values };
      const outcome = await props.run(
        props.path,
        body,
        props.action ? { showErrorInline: true, action: props.action } : { showErrorInline: true },
      );
      if (outcome.ok) {
        setValues((current) => {
          const next = { ...current };
          for (const f of fields) if (!f.keep) next[f.name] = f.initial ?? "";
          return next;
        });
      } else {
        setError(outcome.error);
      }
    } finally {
      setBusy(false);
    }
  };
  const set = (name: string, value: string) => setValues((v) => ({ ...v, [name]: value }));
  const label =
    typeof props.submitLabel === "function" ? props.submitLabel(values) : props.submitLabel;

  return (
    <Paper withBorder p="sm" component="section" aria-labelledby={headingId}>
      <form onSubmit={submit} noValidate>
        <Stack gap="xs">
          <Title order={4} size="h5" id={headingId}>
            {props.title}
          </Title>
          {props.help ? <Text size="sm">{props.help}</Text> : null}
          {shown.map((f) => {
            const note = f.note?.(values);
            return (
              <Fragment key={f.name}>
                <FieldInput
                  field={f}
                  value={values[f.name] ?? ""}
                  onChange={(v) => set(f.name, v)}
                  error={fieldMessage(f.name)}
                />
                {note ? (
                  <Text size="sm" c="orange.9" data-testid={`note-${f.name}`}>
                    {note}
                  </Text>
                ) : null}
              </Fragment>
            );
          })}
          {unplaced ? (
            <Alert
              color={apiError?.status === 409 ? "orange" : "red"}
              title={apiError ? `Not done (${apiError.code})` : (problem?.title ?? "Not done")}
              role="alert"
              data-testid="command-error"
            >
              {localTimesIn(unplaced.message)}
            </Alert>
          ) : null}
          <Group>
            <Button type="submit" loading={busy} color={props.color}>
              {label}
            </Button>
          </Group>
        </Stack>
      </form>
      <Modal
        opened={asking !== null}
        onClose={() => setAsking(null)}
        title={asking?.title}
        centered
        closeButtonProps={{ "aria-label": "Close" }}
      >
        <Stack>
          <Text size="sm" component="div">
            {asking?.message}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setAsking(null)}>
              Go back
            </Button>
            <Button color={props.color} onClick={send}>
              {asking?.confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

function FieldInput({
  field,
  value,
  onChange,
  error,
}: {
  field: FieldSpec;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
}) {
  const common = {
    label: field.label,
    description: field.description,
    required: field.required,
    error,
  };
  switch (field.kind) {
    case "text":
      return (
        <TextInput
          {...common}
          inputMode={field.inputMode}
          autoComplete={field.autoComplete}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "textarea":
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "select":
      return (
        <Select
          {...common}
          data={field.options ?? []}
          clearable={field.clearable}
          allowDeselect={field.clearable ?? false}
          value={value || null}
          onChange={(v) => onChange(v ?? "")}
        />
      );
    case "radio":
      return (
        <Radio.Group {...common} value={value} onChange={onChange}>
          <Group mt={4}>
            {(field.options ?? []).map((o) => (
              <Radio key={o.value} value={o.value} label={o.label} />
            ))}
          </Group>
        </Radio.Group>
      );
  }
}
