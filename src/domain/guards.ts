// The guards shared by every command: who may issue it, and which earlier step is missing when a
// command comes too early. Step-specific rules live with their command in decide.ts.

import { isStaffPerson } from "./actor.ts";
import type { Case } from "./case.ts";
import { ACTION_PHRASES, COMMAND_ACTORS, type Command, type CommandKind } from "./commands.ts";
import type { PolicyDefinition } from "./policy-definition.ts";
import { type Refusal, refusal } from "./rules.ts";

/** A customer acting on a case is its requester, nobody else. */
function notTheRequester(c: Case, command: Command): Refusal | null {
  const { actor } = command;
  return actor.kind === "customer" && actor.contactId !== c.requesterContactId
    ? refusal("NOT_THE_REQUESTER")
    : null;
}

/** Refuses an actor the command's ActorRule does not allow; null when the actor may go on. */
export function checkActor(c: Case, command: Command): Refusal | null {
  const { actor } = command;
  const rule = COMMAND_ACTORS[command.kind];
  const phrase = ACTION_PHRASES[command.kind];

  switch (rule) {
    case "anyone":
      return notTheRequester(c, command);
    case "staff":
      return actor.kind === "staff"
        ? null
        : refusal("STAFF_ONLY", `Only staff can do this (${phrase}); sign in to the staff app.`);
    case "staff_or_system":
      return actor.kind === "customer"
        ? refusal("STAFF_ONLY", `Only staff can do this (${phrase}); ask the account manager.`)
        : null;
    case "customer":
      return actor.kind !== "customer"
        ? refusal(
            "CUSTOMER_ONLY",
            `Only the customer can do this (${phrase}), through the link sent to them; send them the link.`,
          )
        : notTheRequester(c, command);
    case "system":
      return actor.kind === "system" ? null : refusal("SYSTEM_ONLY");
    case "csm":
      // The CSM's engagement and decision are a person's judgement, not an integration's.
      if (!isStaffPerson(actor) || actor.role !== "csm") {
        return refusal(
          "CSM_ROLE_REQUIRED",
          `Only a customer success manager can do this (${phrase}); ask the case's CSM.`,
        );
      }
      if (actor.userId === c.assignedAmId) return refusal("CSM_IS_CASE_AM");
      // The escalation hands the case to a second person: whoever escalated (even a CSM doing
      // the retention steps) cannot also be the one who engages and decides.
      return isEscalator(c, actor.userId) ? refusal("CSM_ESCALATED_THE_CASE") : null;
  }
}

/**
 * The refusal for a command that comes before its step: names the step the case is waiting for
 * (the first thing to do) and the action that was attempted.
 */
export function missingStep(c: Case, kind: CommandKind, policy: PolicyDefinition): Refusal {
  const before = `before ${ACTION_PHRASES[kind]}`;
  switch (c.state) {
    case "intake":
      return refusal("IDENTITY_NOT_VERIFIED", `Verify the requester's identity ${before}.`);
    case "form":
      return refusal(
        "FORM_NOT_SENT",
        `Send the Cancellation Request Form to the customer ${before}.`,
      );
    case "retention":
      return refusal("NOT_ESCALATED", `Escalate the case to the CSM ${before}.`);
    case "escalated": {
      const timeBox =
        policy.slas.csmStepTimeBox && c.escalation
          ? ` The CSM step is time-boxed: without an outcome, the case may go on after ${c.escalation.slaDueAt}.`
          : "";
      return refusal("CSM_OUTCOME_MISSING", `The CSM must record an outcome ${before}.${timeBox}`);
    }
    case "finalizing":
      return refusal("CANCELLATION_NOT_PROCESSED", `Process the cancellation ${before}.`);
    case "cancelled":
      return c.confirmation
        ? refusal("FEEDBACK_NOT_REQUESTED", `Request the customer's feedback ${before}.`)
        : refusal(
            "CONFIRMATION_NOT_RECORDED",
            `Confirm the cancellation on the customer's preferred channel ${before}.`,
          );
    case "feedback":
      return refusal("FEEDBACK_PENDING");
    case "closed":
      return refusal("CASE_CLOSED");
  }
}

/** Whether this staff member escalated the case to the CSM. */
export function isEscalator(c: Case, userId: string): boolean {
  const by = c.escalation?.escalatedBy;
  return by?.kind === "staff" && by.userId === userId;
}
