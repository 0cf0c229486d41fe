// The customer pages' frame: the company's name and logo (from the workspace settings), one
// narrow column that works on a phone; and the pieces every customer page shares.
import { Alert, Box, Container, Group, Image, Paper, Stack, Text, Title } from "@mantine/core";
import { type ReactNode, useEffect, useRef } from "react";
import { ApiError, namesField } from "../../../lib/api-client.ts";
import { useBranding } from "../api/customer.ts";
import "./customer-pages.css";

/** Shown until the settings arrive, and if they cannot be read. */
const FALLBACK_COMPANY = "WootRecruit";

/** The company's name for the page's own words ("cancel my ... subscription"). */
export function useCompanyName(): string {
  return useBranding().data?.companyName ?? FALLBACK_COMPANY;
}

export function CustomerFrame({ children }: { children: ReactNode }) {
  const branding = useBranding().data;
  const company = branding?.companyName ?? FALLBACK_COMPANY;
  return (
    <Box className="customer-pages" bg="gray.0" mih="100vh" py={{ base: "sm", sm: "xl" }}>
      <Container size={560} px="sm">
        <Stack gap="md">
          <Group component="header" gap="sm" wrap="nowrap">
            {branding?.logoUrl ? (
              // The name follows as text, so the logo itself is decoration.
              <Image src={branding.logoUrl} alt="" h={40} w="auto" fit="contain" />
            ) : null}
            <Text fw={800} size="xl" c="indigo.9" data-testid="company-name">
              {company}
            </Text>
          </Group>
          <Paper component="main" withBorder shadow="xs" p={{ base: "md", sm: "xl" }} radius="md">
            {children}
          </Paper>
          <Text component="footer" size="xs" c="dimmed">
            Questions? Reply to any message from us, or contact your account manager.
          </Text>
        </Stack>
      </Container>
    </Box>
  );
}

/**
 * The page's heading, and the browser tab's title with the company's name ("Cancellation Request
 * Form — WootRecruit"). Each step of a customer page has its own heading, and focus moves to it
 * when it appears or changes, so a screen reader or keyboard user starts on the new step instead
 * of at the top of the document with the button they pressed gone.
 */
export function PageTitle({
  children,
  documentTitle,
}: {
  children: ReactNode;
  /** The tab's title when it is not the heading's own words. */
  documentTitle?: string;
}) {
  const company = useCompanyName();
  const title = documentTitle ?? (typeof children === "string" ? children : undefined);
  useEffect(() => {
    if (title) document.title = `${title} — ${company}`;
  }, [title, company]);
  return (
    <StepTitle order={1} focusKey={title}>
      {children}
    </StepTitle>
  );
}

/** A step's heading that takes focus when it appears, or when `focusKey` changes. */
export function StepTitle({
  children,
  order = 2,
  focusKey,
}: {
  children: ReactNode;
  order?: 1 | 2;
  focusKey?: string;
}) {
  const ref = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new key is a new step to focus.
  useEffect(() => {
    ref.current?.focus();
  }, [focusKey]);
  return (
    <Title ref={ref} tabIndex={-1} order={order} size={order === 1 ? "h2" : "h4"} mb="sm">
      {children}
    </Title>
  );
}

/**
 * After a send the server refused, focus moves to the first field it named (in the form's order),
 * else to the problem above the form, so the customer is taken to what to fix. Give the returned
 * ref to the form.
 */
export function useFocusOnProblem<T extends HTMLElement = HTMLFormElement>(error: unknown) {
  const form = useRef<T>(null);
  useEffect(() => {
    if (!error || !form.current) return;
    // Mantine marks a field in error with data-error: the input itself, or the group around it.
    const marked = form.current.querySelector<HTMLElement>('[data-error="true"]');
    const field = marked?.matches("input, textarea")
      ? marked
      : marked?.querySelector<HTMLElement>('input:checked, input:not([type="hidden"]), textarea');
    (field ?? form.current.querySelector<HTMLElement>('[role="alert"]'))?.focus();
  }, [error]);
  return form;
}

/**
 * A problem with a whole form (not one field, whose message sits next to it): the server's
 * sentence, or `known[code]` when the page words that code itself. Nothing when all is well.
 */
export function ProblemAlert({
  error,
  known = {},
  fieldsShown,
}: {
  error: unknown;
  known?: Record<string, string>;
  /** The fields the form shows messages beside; a problem with any other field shows here. */
  fieldsShown?: readonly string[];
}) {
  if (!error) return null;
  if (
    error instanceof ApiError &&
    error.fields.length > 0 &&
    (!fieldsShown || error.fields.every((f) => fieldsShown.some((s) => namesField(f.field, s))))
  )
    return null;
  const text =
    error instanceof ApiError
      ? (known[error.code] ?? error.message)
      : "Sending did not work. Please try again.";
  return (
    <Alert color="red" role="alert" tabIndex={-1}>
      {text}
    </Alert>
  );
}

/** The message for one field, or for the form when no field is named. */
export function fieldProblem(error: unknown, field: string): string | undefined {
  return error instanceof ApiError ? error.fieldMessage(field) : undefined;
}
