// Who issues a command. Stored inside the case evidence and events, so it is plain JSON.

import type { StaffRole } from "./staff.ts";

export type StaffActor = { kind: "staff"; userId: string; role: StaffRole };
/** A customer contact acting through a link or the self-service page; never signed in. */
export type CustomerActor = { kind: "customer"; contactId: string };
/** Timers, jobs and integrations (API keys): trusted, but never a person making a judgement. */
export type SystemActor = { kind: "system" };

export type Actor = StaffActor | CustomerActor | SystemActor;

export function describeActor(actor: Actor): string {
  switch (actor.kind) {
    case "staff":
      return `${actor.role} ${actor.userId}`;
    case "customer":
      return `customer contact ${actor.contactId}`;
    case "system":
      return "CancelDesk";
  }
}
