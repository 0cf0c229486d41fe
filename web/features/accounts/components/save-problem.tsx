// What the account page's forms say when a save is refused: someone else changed the record since
// the form opened (with a reload that the user chooses, so what they typed stays until then), the
// fields to fix (each shown under its input), or the server's sentence.
import { Alert, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError, api, errorMessage, namesField } from "../../../lib/api-client.ts";

/**
 * A form over a record as the page loaded it when the form opened: `base` is that record (its
 * `version` goes back as `expectedVersion`), `values` what the user typed. `reload` replaces both
 * with the record as it is now, and reloads the page's lists that show it.
 */
export function useRecordForm<R extends { id: string; version: number }, V>(
  record: R | undefined,
  valuesOf: (record: R | undefined) => V,
  path: string,
  shownIn: readonly unknown[][],
) {
  const client = useQueryClient();
  const [base, setBase] = useState(record);
  const [values, setValues] = useState(() => valuesOf(record));
  const [reloading, setReloading] = useState(false);
  const [reloadError, setReloadError] = useState<unknown>(null);
  const reload = async (): Promise<boolean> => {
    if (!base) return false;
    setReloading(true);
    setReloadError(null);
    try {
      const fresh = await api.get<R>(`${path}/${encodeURIComponent(base.id)}`);
      setBase(fresh);
      setValues(valuesOf(fresh));
      await Promise.all(shownIn.map((queryKey) => client.invalidateQueries({ queryKey })));
      return true;
    } catch (error) {
      setReloadError(error);
      return false;
    } finally {
      setReloading(false);
    }
  };
  return { base, values, setValues, reload, reloading, reloadError };
}

/**
 * The dialog every record form is: its problem with the last save (see SaveProblem) and a failed
 * reload above the fields, submitted with Enter as well as with its button.
 */
export function RecordFormModal({
  title,
  what,
  size,
  problem,
  reloadError,
  onClose,
  onSubmit,
  children,
}: {
  title: string;
  /** The record, as sentences name it: "account", "contact", "subscription". */
  what: string;
  size?: string;
  problem: ReactNode;
  reloadError: unknown;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      opened
      onClose={onClose}
      title={title}
      centered
      size={size}
      closeButtonProps={{ "aria-label": "Close" }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit();
        }}
      >
        <Stack>
          {problem}
          {reloadError ? (
            <Alert color="red" role="alert">
              The {what} could not be reloaded: {errorMessage(reloadError)}
            </Alert>
          ) : null}
          {children}
        </Stack>
      </form>
    </Modal>
  );
}

export function SaveProblem({
  error,
  what,
  changedCode,
  fieldsShown,
  reloading,
  onReload,
  sentences = {},
}: {
  error: unknown;
  /** The record, as the sentence names it: "account", "contact", "subscription". */
  what: string;
  /** The 409 code of a change made meanwhile: ACCOUNT_CHANGED, CONTACT_CHANGED, ... */
  changedCode: string;
  /** The fields the form shows a message under; a problem with any other is said here. */
  fieldsShown: readonly string[];
  reloading: boolean;
  onReload: () => void;
  /** The desk's own sentence for a refusal whose server sentence speaks to API clients. */
  sentences?: Record<string, string>;
}) {
  if (!error) return null;
  if (error instanceof ApiError && error.code === changedCode) {
    return (
      <Alert color="yellow" title={`Someone else changed this ${what}`} role="alert">
        <Text size="sm">
          The {what} was changed since you opened this form, so your change was not saved. What you
          typed is still below. Reload the {what} to see it as it is now (this replaces what you
          typed), then make your change again.
        </Text>
        <Group mt="xs">
          <Button size="xs" variant="default" loading={reloading} onClick={onReload}>
            Reload the {what}
          </Button>
        </Group>
      </Alert>
    );
  }
  if (error instanceof ApiError && error.fields.length > 0) {
    const elsewhere = error.fields.filter(
      (problem) => !fieldsShown.some((field) => namesField(problem.field, field)),
    );
    return (
      <Alert color="red" role="alert">
        The {what} was not saved: check the fields marked below.
        {elsewhere.map((p) => ` ${p.field} ${p.message}.`).join("")}
      </Alert>
    );
  }
  const sentence = error instanceof ApiError ? sentences[error.code] : undefined;
  return (
    <Alert color="red" role="alert" title={`The ${what} was not saved`}>
      {sentence ?? errorMessage(error)}
    </Alert>
  );
}

/** The message under one input, if the refusal named its field. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}

/** "" and whitespace mean "none", as the API's null. */
export function orNull(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/** The fields of `next` that differ from `base`: a change sends only what the user changed. */
export function changedFields<T extends Record<string, unknown>>(base: T, next: T): Partial<T> {
  const changes: Partial<T> = {};
  for (const key of Object.keys(next) as (keyof T)[]) {
    if (next[key] !== base[key]) changes[key] = next[key];
  }
  return changes;
}
