// A staff member who leaves (is deactivated) still holds open cases as their assigned AM or CSM.
// An admin hands them to successors: each case goes through the engine's reassign command on its
// own, exactly as a manual reassignment, so each gets its audit entry and its notifications, in
// its own transaction. A case the engine refuses stays as it was and is reported with the rule.
import {
  countOpenCasesOfAssignee,
  listOpenCasesOfAssignee,
} from "../db/repositories/cases.repository.ts";
import { findUserById } from "../db/repositories/users.repository.ts";
import { checkAssigneeRole } from "../domain/decide.ts";
import { AppError, validationError } from "../domain/errors.ts";
import { refusalToAppError } from "../domain/rules.ts";
import type { CaseSlot, Principal } from "../domain/staff.ts";
import type { AppContext, Db } from "./context.ts";
import type { OpenCasesHandOverInput } from "./inputs.ts";
import { getUser } from "./manage-users.ts";
import { actorOf, runCaseCommand } from "./run-case-command.ts";

export type OpenCaseCounts = Record<CaseSlot, number>;

/** The body field that names the successor for each slot. */
const SUCCESSOR_FIELD = {
  am: "amSuccessorId",
  csm: "csmSuccessorId",
} as const satisfies Record<CaseSlot, keyof OpenCasesHandOverInput>;

export interface HandOverReport {
  moved: { caseId: string; reference: string; slot: CaseSlot; toUserId: string }[];
  /** Cases left with the user: the rule code and sentence the engine (or a check) answered. */
  notMoved: {
    caseId: string;
    reference: string;
    slot: CaseSlot;
    code: string;
    message: string;
  }[];
  /** The open cases the user still holds afterwards (those refused, and slots given no successor). */
  left: OpenCaseCounts;
}

/** How many open cases a user holds as assigned AM and as assigned CSM (404 for no such user). */
export async function getOpenCaseCounts(db: Db, userId: string): Promise<OpenCaseCounts> {
  await getUser(db, userId);
  return countOpenCasesOfAssignee(db, userId);
}

export async function handOverOpenCases(
  services: AppContext,
  principal: Principal,
  userId: string,
  input: OpenCasesHandOverInput,
): Promise<HandOverReport> {
  await getUser(services.db, userId);
  const successors: Partial<Record<CaseSlot, string>> = {};
  for (const slot of ["am", "csm"] as const) {
    const field = SUCCESSOR_FIELD[slot];
    const id = input[field];
    if (!id) continue;
    if (id === userId) {
      throw validationError([
        { field, message: "must be someone other than the user whose cases are handed over" },
      ]);
    }
    // Checked once before any case moves, so a wrong choice moves nothing; each case's command
    // checks again, as any reassignment does.
    const successor = await findUserById(services.db, id);
    if (!successor?.active) {
      throw validationError([{ field, message: "is not an active staff member" }]);
    }
    const roleRefusal = checkAssigneeRole(slot, successor.role);
    if (roleRefusal) throw refusalToAppError(roleRefusal);
    successors[slot] = id;
  }
  const actor = actorOf(principal);
  const report: HandOverReport = { moved: [], notMoved: [], left: { am: 0, csm: 0 } };
  for (const c of await listOpenCasesOfAssignee(services.db, userId)) {
    const toUserId = successors[c.slot];
    if (!toUserId) continue;
    try {
      await runCaseCommand(
        services,
        c.id,
        (_c, _f, now) => ({ kind: "reassign", slot: c.slot, toUserId, actor, now }),
        {
          namedStaff: { [SUCCESSOR_FIELD[c.slot]]: toUserId },
          // Read again with the case: one reassigned or closed meanwhile is not taken from
          // whoever holds it now.
          guard: (current) => {
            const holder = c.slot === "am" ? current.assignedAmId : current.assignedCsmId;
            if (holder !== userId) {
              throw new AppError(
                "CONFLICT",
                "The case was given to someone else meanwhile; it was left with them.",
                { code: "NO_LONGER_ASSIGNED" },
              );
            }
          },
        },
      );
      report.moved.push({ caseId: c.id, reference: c.reference, slot: c.slot, toUserId });
    } catch (error) {
      // A refusal of one case (a rule, a change meanwhile) leaves that case whole and the others
      // going; anything else (the database) stops the hand-over, and a repeat picks up the rest.
      if (!(error instanceof AppError)) throw error;
      report.notMoved.push({
        caseId: c.id,
        reference: c.reference,
        slot: c.slot,
        code: error.code,
        message: error.message,
      });
    }
  }
  report.left = await countOpenCasesOfAssignee(services.db, userId);
  return report;
}
