// Admins publish a new version of the policy definition. New cases start under it; open cases
// keep the version they started under.
import {
  insertPolicyVersion,
  type PublishedPolicy,
} from "../db/repositories/policy-versions.repository.ts";
import { AppError, validationError } from "../domain/errors.ts";
import type { Principal } from "../domain/staff.ts";
import { validatePolicyDefinition } from "../policy/validate-policy.ts";
import { getCurrentPolicy } from "./case-facts.ts";
import type { Db } from "./context.ts";

export async function publishPolicy(
  db: Db,
  actor: Principal,
  input: {
    definition: Record<string, unknown>;
    notes?: string | null | undefined;
    basedOnVersion?: number | null | undefined;
  },
): Promise<PublishedPolicy> {
  return db.transaction().execute(async (trx) => {
    const current = await getCurrentPolicy(trx);
    // An admin edits a copy of the version they loaded; publishing it over a newer one would
    // silently undo that one's changes.
    if (input.basedOnVersion != null && input.basedOnVersion !== current.version) {
      throw policyChanged(current.version, input.basedOnVersion);
    }
    const version = current.version + 1;
    const plans = await trx.selectFrom("plans").select(["code", "currency", "active"]).execute();
    const validation = validatePolicyDefinition(
      { ...input.definition, version },
      {
        planCodes: plans.map((p) => p.code),
        activePlans: plans.filter((p) => p.active),
      },
    );
    if (!validation.ok) {
      throw validationError(
        validation.problems.map((p) => ({ field: `definition.${p.field}`, message: p.message })),
      );
    }
    const published = await insertPolicyVersion(trx, {
      definition: validation.policy,
      publishedBy: actor.kind === "user" ? actor.userId : null,
      notes: input.notes ?? null,
    });
    // Another publish took this number between our read and our insert.
    if (!published) throw policyChanged(version, current.version);
    return await getCurrentPolicy(trx);
  });
}

function policyChanged(currentVersion: number, basedOn: number): AppError {
  return new AppError(
    "CONFLICT",
    `Version ${currentVersion} was published after the version ${basedOn} your changes start from: load it, make your changes again and publish.`,
    { code: "POLICY_CHANGED", details: { currentVersion } },
  );
}
