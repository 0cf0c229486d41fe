import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CaseMessage, CaseMessages, CaseMessagesList } from "./case-messages.tsx";

afterEach(() => vi.unstubAllGlobals());

const message = (extra: Partial<CaseMessage>): CaseMessage => ({
  id: "m1",
  topic: "cancellation_confirmation",
  channel: "email",
  recipient: { email: "dana@acme.test", phone: "+14155550123" },
  status: "sent",
  attempts: 1,
  lastError: null,
  skippedReason: null,
  createdAt: "2026-02-01T09:00:00.000Z",
  sentAt: "2026-02-01T09:00:05.000Z",
  ...extra,
});

function renderList(messages: CaseMessage[], onRetry?: (id: string) => void) {
  return render(
    <MantineProvider>
      <CaseMessagesList messages={messages} onRetry={onRetry} />
    </MantineProvider>,
  );
}

describe("the case's messages to the customer", () => {
  it("shows a confirmation that failed, with why, and lets an admin send it again", () => {
    const onRetry = vi.fn();
    renderList(
      [
        message({ id: "m1", topic: "form_link", status: "delivered" }),
        message({
          id: "m2",
          channel: "sms",
          status: "failed",
          lastError: "the contact has no mobile number on file",
          sentAt: null,
        }),
        { ...message({ id: "m3", channel: "staff", topic: "staff_notification" }) },
      ],
      onRetry,
    );
    const table = screen.getByRole("table", { name: "Messages to the customer" });
    const rows = within(table).getAllByRole("row").slice(1);
    // Newest first, staff notices left out.
    expect(rows.map((r) => r.getAttribute("data-status"))).toEqual(["failed", "delivered"]);
    expect(rows[0]!.textContent).toContain("Cancellation confirmation");
    // A number for reading, grouped as people write it.
    expect(rows[0]!.textContent).toContain("Text to +1 415 555 0123");
    expect(rows[0]!.textContent).toContain("Failed");
    expect(rows[0]!.textContent).toContain("the contact has no mobile number on file");
    within(rows[0]!).getByRole("button", { name: "Send again" }).click();
    expect(onRetry).toHaveBeenCalledWith("m2");
  });

  it("says why a message was not sent, and offers no retry to staff who are not admins", () => {
    renderList([
      message({
        topic: "form_reminder",
        status: "skipped",
        skippedReason: "the customer has already submitted the form",
        sentAt: null,
      }),
      message({ id: "m2", status: "failed", lastError: "SMTP: 550 no such mailbox" }),
    ]);
    expect(
      screen.getByText(/Not needed any more: the customer has already submitted the form/),
    ).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send again" })).toBeNull();
  });
});

describe("sending a failed message again", () => {
  it("says so when the server refuses it", async () => {
    const json = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { "content-type": "application/json" },
      });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init: RequestInit = {}) =>
        init.method === "POST"
          ? json(409, {
              code: "MESSAGE_NOT_FAILED",
              message: "This message is not failed: it is pending.",
            })
          : json(200, { items: [message({ status: "failed", lastError: "SMTP: 421" })] }),
      ),
    );
    render(
      <MantineProvider>
        <QueryClientProvider client={new QueryClient()}>
          <CaseMessages id="case-1" version={3} isAdmin />
        </QueryClientProvider>
      </MantineProvider>,
    );
    fireEvent.click(await screen.findByRole("button", { name: "Send again" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Not sent again: This message is not failed: it is pending.",
    );
  });
});
