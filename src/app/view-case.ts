// A case as the staff workspace shows it: the case, where it stands on the seven steps, and what
// the caller may do next. Both come from the engine, so the screen can never disagree with it.
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
import { loadCaseFacts } from "./case-facts.ts";
import type { AppContext } from "./context.ts";

export interface CaseView {
  case: Case;
  checklist: ChecklistItem[];
  nextActions: NextActions;
}

export async function describeCase(ctx: AppContext, c: Case, actor: Actor): Promise<CaseView> {
  const facts = await loadCaseFacts(ctx.db, { ...c, policyVersion: c.policyVersion });
  const now = ctx.now();
  return {
    case: c,
    checklist: buildChecklist(c, facts.context, now),
    nextActions: nextActions(c, facts.context, actor, now),
  };
}

export async function getCase(ctx: AppContext, idOrReference: string): Promise<Case> {
  const c = await findCase(ctx.db, idOrReference);
  if (!c) throw notFound("Case", idOrReference);
  return c;
}
