// Who issues a command. Stored inside the case evidence and events, so it is plain JSON.

import type { StaffRole } from "./staff.ts";

export type StaffActor = { kind: "staff"; userId: string; role: StaffRole };
/** A customer contact acting through a link or the self-service page; never signed in. */
export type CustomerActor = { kind: "customer"; contactId: string };
/** Timers, jobs and integrations (API keys): trusted, but never a person making a judgement. */
export type SystemActor = { kind: "system" };

export type Actor = StaffActor | CustomerActor | SystemActor;

/**
 * An integration's API key acts as staff with the key's role under a user id of this form, so
 * its actions are recorded and checked like staff's. It is never a person: it does not take a
 * case as its AM, and it cannot make the CSM's judgement.
 */
const API_KEY_USER_PREFIX = "api-key:";

export function apiKeyActor(apiKeyId: string, role: StaffRole): StaffActor {
  return { kind: "staff", userId: `${API_KEY_USER_PREFIX}${apiKeyId}`, role };
}

export function isApiKey(actor: Actor): boolean {
  return actor.kind === "staff" && actor.userId.startsWith(API_KEY_USER_PREFIX);
}

/** A signed-in member of staff, not an integration's key. */
export function isStaffPerson(actor: Actor): actor is StaffActor {
  return actor.kind === "staff" && !isApiKey(actor);
}

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
