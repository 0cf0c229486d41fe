// For the workspace's tests: the workspace in its providers against a fake API whose cases are
// decided by the real engine (src/domain), so what the screen shows follows what the server
// would answer.
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClientProvider } from "@tanstack/react-query";
import { configure, render } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import type { Actor } from "../../../../src/domain/actor.ts";
import type { Case } from "../../../../src/domain/case.ts";
import { buildChecklist, nextActions } from "../../../../src/domain/checklist.ts";
import type { Command } from "../../../../src/domain/commands.ts";
import type { DecisionContext } from "../../../../src/domain/context.ts";
import { decide } from "../../../../src/domain/decide.ts";
import { AM, nextMinute } from "../../../../src/domain/test-factories.ts";
import { createQueryClient } from "../../../app/query-client.ts";
import type { UserJson } from "../../../lib/types.ts";
import { CaseWorkspace } from "./case-workspace.tsx";

// The workspace's first render (Mantine, several queries) can take more than the default second.
configure({ asyncUtilTimeout: 5_000 });
vi.setConfig({ testTimeout: 20_000 });

export interface FakeCall {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
  headers: Record<string, string>;
}

type Json = { status: number; body: unknown };

export interface FakeApi {
  /** The case as the server holds it. */
  current: Case;
  calls: FakeCall[];
  /** Answers a request the fake does not know itself; undefined falls back to a 404. */
  extra?: (call: FakeCall) => Json | undefined;
}

/**
 * A fake server for one case: GET answers the view as the engine builds it for `actor`, and a
 * command is turned by `toCommand` into the engine's command and decided.
 */
export function fakeCaseApi(options: {
  start: Case;
  context: DecisionContext;
  actor?: Actor;
  toCommand: (path: string, body: Record<string, unknown>, now: Date) => Command;
  extra?: FakeApi["extra"];
}): FakeApi {
  const actor = options.actor ?? AM;
  const fake: FakeApi = { current: options.start, calls: [], extra: options.extra };
  const view = (c: Case) => {
    const now = nextMinute(c);
    return {
      case: c,
      checklist: buildChecklist(c, options.context, now),
      nextActions: nextActions(c, options.context, actor, now),
    };
  };
  const answer = (call: FakeCall): Json => {
    const extra = fake.extra?.(call);
    if (extra) return extra;
    const prefix = `/api/cases/${fake.current.id}`;
    if (call.method === "GET" && call.path === prefix)
      return { status: 200, body: view(fake.current) };
    if (call.method === "GET" && call.path.startsWith("/api/policy/versions/")) {
      return {
        status: 200,
        body: {
          version: fake.current.policyVersion,
          publishedAt: "2025-01-01T00:00:00.000Z",
          publishedBy: null,
          notes: null,
          definition: options.context.policy,
        },
      };
    }
    if (call.method === "GET" && call.path === "/api/users") {
      return { status: 200, body: { items: STAFF, nextCursor: null } };
    }
    if (call.method === "GET" && call.path === `${prefix}/timeline`) {
      return { status: 200, body: { items: [] } };
    }
    if (call.method === "POST" && call.path.startsWith(`${prefix}/`)) {
      const body = call.body ?? {};
      if (body.expectedVersion !== fake.current.version) {
        return { status: 409, body: { code: "CASE_CHANGED", message: "The case changed." } };
      }
      const now = nextMinute(fake.current);
      const command = options.toCommand(call.path.slice(prefix.length + 1), body, now);
      const decision = decide(fake.current, command, options.context);
      if (!decision.ok) {
        return { status: 409, body: decision.refusal };
      }
      fake.current = decision.case;
      return { status: 200, body: view(fake.current) };
    }
    return { status: 404, body: { code: "NOT_FOUND", message: "Not found." } };
  };
  vi.stubGlobal("fetch", async (input: string, init?: RequestInit) => {
    const url = new URL(input, "http://desk.test");
    const call: FakeCall = {
      method: init?.method ?? "GET",
      path: url.pathname,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      headers: (init?.headers ?? {}) as Record<string, string>,
    };
    fake.calls.push(call);
    const { status, body } = answer(call);
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json" },
    });
  });
  return fake;
}

export const STAFF = [
  {
    id: "u-am",
    name: "Priya Shah",
    email: "priya.shah@wootrecruit.example",
    role: "account_manager",
    active: true,
  },
  { id: "u-csm", name: "Sam Lee", role: "csm", active: true },
] as unknown as UserJson[];

export const SIGNED_IN_AM = STAFF[0] as UserJson;

/** The workspace of `id` as the staff desk shows it. */
export function renderWorkspace(id: string, user: UserJson = SIGNED_IN_AM) {
  const client = createQueryClient();
  return render(
    <MantineProvider>
      <Notifications />
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[`/cases/${id}`]}>
          <Routes>
            <Route path="/cases/:id" element={<CaseWorkspace user={user} />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}
