import { isUniqueViolation } from "../db/db-errors.ts";
import { findPlanById, insertPlan, updatePlan } from "../db/repositories/plans.repository.ts";
import type { Plan } from "../domain/customer.ts";
import { AppError, notFound } from "../domain/errors.ts";
import type { Db } from "./context.ts";
import type { PlanCreateInput, PlanUpdateInput } from "./inputs.ts";

export async function createPlan(db: Db, input: PlanCreateInput): Promise<Plan> {
  try {
    return await insertPlan(db, input);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("ALREADY_EXISTS", `A plan with the code ${input.code} already exists.`, {
        fields: [{ field: "code", message: "is already used by another plan" }],
      });
    }
    throw error;
  }
}

export async function changePlan(db: Db, id: string, input: PlanUpdateInput): Promise<Plan> {
  const plan = await updatePlan(db, id, input);
  if (!plan) throw notFound("Plan", id);
  return plan;
}

export async function getPlan(db: Db, id: string): Promise<Plan> {
  const plan = await findPlanById(db, id);
  if (!plan) throw notFound("Plan", id);
  return plan;
}
