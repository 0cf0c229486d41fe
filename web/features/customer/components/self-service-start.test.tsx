// The self-service start and the identity code entry: where focus goes, what the tab is called.
import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { IdentityCodeEntry } from "./identity-code-entry.tsx";
import { SelfServiceStart } from "./self-service-start.tsx";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function serve(answers: Record<string, () => Response>) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string) => {
      if (url === "/api/public/branding") return json({ companyName: "Acme Hire", logoUrl: null });
      return answers[url]?.() ?? json({ code: "NOT_FOUND", message: "No such page." }, 404);
    }),
  );
}

const show = (page: ReactNode, at = "/cancel") =>
  render(
    <MantineProvider>
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter initialEntries={[at]}>{page}</MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("the self-service start", () => {
  it("names the tab with the company, moves to the code step, and to the code when it is wrong", async () => {
    serve({
      "/api/public/self-service/start": () => json({ message: "A code is on its way." }, 202),
      "/api/public/self-service/verify": () =>
        json(
          {
            code: "VALIDATION_FAILED",
            message: "code: this code is not right or has expired",
            fields: [{ field: "code", message: "is not right or has expired: ask for a new code" }],
          },
          400,
        ),
    });
    show(<SelfServiceStart />);
    await waitFor(() => expect(document.title).toBe("Cancel your subscription — Acme Hire"));
    fireEvent.change(screen.getByLabelText(/Work email/), {
      target: { value: "dana@acme.test" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    const step = await screen.findByRole("heading", { name: "Enter the code we sent you" });
    await waitFor(() => expect(document.activeElement).toBe(step));

    fireEvent.change(screen.getByLabelText(/The code from the email/), {
      target: { value: "123456" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Continue to the cancellation form" }));
    expect(await screen.findByText(/is not right or has expired/)).toBeTruthy();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByLabelText(/The code from the email/)),
    );

    fireEvent.click(screen.getByRole("button", { name: "Use another email" }));
    await waitFor(() => expect(document.activeElement).toBe(screen.getByLabelText(/Work email/)));
  });
});

describe("the self-service code step", () => {
  it("is still there after a reload, with the email the code went to", async () => {
    serve({
      "/api/public/self-service/start": () => json({ message: "A code is on its way." }, 202),
    });
    const first = show(<SelfServiceStart />);
    fireEvent.change(screen.getByLabelText(/Work email/), {
      target: { value: "dana@acme.test" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Send me a code" }));
    await screen.findByRole("heading", { name: "Enter the code we sent you" });
    first.unmount();

    show(<SelfServiceStart />);
    expect(screen.getByRole("heading", { name: "Enter the code we sent you" })).toBeTruthy();
    expect((screen.getByLabelText(/Work email/) as HTMLInputElement).value).toBe("dana@acme.test");
    expect(screen.getByLabelText(/The code from the email/)).toBeTruthy();
  });

  it("opens from the code's email link, and from 'I already have a code'", async () => {
    serve({});
    const fromLink = show(<SelfServiceStart />, "/cancel?code");
    expect(screen.getByRole("heading", { name: "Enter the code we sent you" })).toBeTruthy();
    fromLink.unmount();
    show(<SelfServiceStart />);
    fireEvent.click(screen.getByRole("button", { name: "I already have a code" }));
    expect(await screen.findByLabelText(/The code from the email/)).toBeTruthy();
  });
});

describe("the identity code entry", () => {
  it("moves to the confirmation's heading, and names the tab after it", async () => {
    serve({
      "/api/public/identity/confirm-code": () => json({ reference: "CD-2026-00042" }),
    });
    show(<IdentityCodeEntry />);
    await waitFor(() => expect(document.title).toBe("Confirm it's you — Acme Hire"));
    fireEvent.change(screen.getByLabelText(/Case reference/), {
      target: { value: "CD-2026-00042" },
    });
    fireEvent.change(screen.getByLabelText(/Your email address or phone number/), {
      target: { value: "dana@acme.test" },
    });
    fireEvent.change(screen.getByLabelText(/The code from the message/), {
      target: { value: "123456" },
    });
    fireEvent.click(screen.getByRole("button", { name: "Confirm" }));
    const heading = await screen.findByRole("heading", { name: "Thank you, we know it's you" });
    await waitFor(() => expect(document.activeElement).toBe(heading));
    expect(document.title).toBe("Thank you, we know it's you — Acme Hire");
  });
});
