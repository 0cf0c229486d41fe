// A case as the staff workspace shows it: the case, where it stands on the seven steps, and what
// the caller may do next. Both come from the engine, so the screen can never disagree with it.
import { readCaseSnapshot } from "../db/repositories/case-snapshot.repository.ts";
import { findCase } from "../db/repositories/cases.repository.ts";
import type { Actor } from "../domain/actor.ts";
import type { Case } from "../domain/case.ts";
import {
  buildChecklist,
  type ChecklistItem,
  type NextActions,
  nextActions,
} from "../domain/checklist.ts";
import { notFound } from "../domain/errors.ts";
import { type CaseFacts, factsOfSnapshot } from "./case-facts.ts";
import type { AppContext } from "./context.ts";

export interface CaseView {
  case: Case;
  checklist: ChecklistItem[];
  nextActions: NextActions;
}

/**
 * The view of a case. A command passes the facts it decided with (they are current: the same
 * transaction wrote them), so answering a command costs no further reads.
 */
export async function describeCase(
  ctx: AppContext,
  c: Case,
  actor: Actor,
  facts?: CaseFacts,
): Promise<CaseView> {
  const known = facts ?? (await loadFacts(ctx, c.id)).facts;
  const now = ctx.now();
  return {
    case: c,
    checklist: buildChecklist(c, known.context, now),
    nextActions: nextActions(c, known.context, actor, now),
  };
}

/** The view of the case with this id or reference, read in one round trip. */
export async function viewCase(
  ctx: AppContext,
  idOrReference: string,
  actor: Actor,
): Promise<CaseView> {
  return (await viewCaseWithFacts(ctx, idOrReference, actor)).view;
}

/** The view with the facts behind it (the offer picker values offers with them). */
export async function viewCaseWithFacts(
  ctx: AppContext,
  idOrReference: string,
  actor: Actor,
): Promise<{ view: CaseView; facts: CaseFacts }> {
  const { c, facts } = await loadFacts(ctx, idOrReference);
  return { view: await describeCase(ctx, c, actor, facts), facts };
}

async function loadFacts(ctx: AppContext, idOrReference: string) {
  const snapshot = await readCaseSnapshot(ctx.db, idOrReference);
  if (!snapshot) throw notFound("Case", idOrReference);
  return { c: snapshot.case, facts: await factsOfSnapshot(ctx.db, snapshot) };
}

export async function getCase(ctx: AppContext, idOrReference: string): Promise<Case> {
  const c = await findCase(ctx.db, idOrReference);
  if (!c) throw notFound("Case", idOrReference);
  return c;
}
