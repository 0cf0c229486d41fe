// The offer picker's data: the offers the engine lets the caller present on a case now (the
// presentOffer entries of nextActions), each with its definition and its effect on the monthly
// value as the domain computes it, so the web app shows offers without holding a rule of its own.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { getPolicy } from "../../../app/case-facts.ts";
import type { AppContext } from "../../../app/context.ts";
import { getSubscription } from "../../../app/manage-subscriptions.ts";
import { actorOf } from "../../../app/run-case-command.ts";
import { describeCase, getCase } from "../../../app/view-case.ts";
import { listPlans } from "../../../db/repositories/plans.repository.ts";
import { computeOfferEffect } from "../../../domain/offers.ts";
import { findOffer } from "../../../domain/policy-definition.ts";
import { principalOf, STAFF } from "../../plugins/auth.ts";
import { errorResponses } from "../common.ts";

const offerOptionJson = z
  .object({
    code: z.string(),
    kind: z.string(),
    label: z.string(),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    effect: z.object({
      currency: z.string(),
      monthlyValueBeforeMinor: z.number(),
      monthlyValueDuringMinor: z.number().nullable(),
      durationMonths: z.number().nullable(),
      monthlyValueAfterMinor: z.number().nullable(),
      oneTimeCreditMinor: z.number(),
    }),
  })
  .meta({ id: "OfferOption" });

export function offerOptionRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.get("/api/cases/:id/offer-options", {
      config: { access: { roles: STAFF } },
      schema: {
        tags: ["cases"],
        summary:
          "The offers the caller may present on this case now, with their effect on the monthly value",
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 200: z.object({ items: z.array(offerOptionJson) }), ...errorResponses },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        const c = await getCase(ctx, request.params.id);
        const view = await describeCase(ctx, c, actorOf(principal));
        const codes = view.nextActions.allowed
          .filter((a) => a.kind === "presentOffer" && a.offerCode)
          .map((a) => a.offerCode!);
        if (codes.length === 0) return { items: [] };
        const [policy, subscription, plans] = await Promise.all([
          getPolicy(ctx.db, c.policyVersion),
          getSubscription(ctx.db, c.subscriptionId),
          listPlans(ctx.db, {}, { limit: 200 }),
        ]);
        const items = codes.flatMap((code) => {
          const offer = findOffer(policy.definition, code);
          if (!offer) return [];
          const target =
            offer.kind === "downgrade"
              ? plans.items.find((p) => p.code === offer.parameters.toPlanCode)
              : undefined;
          const effect = computeOfferEffect(offer, {
            monthlyValueMinor: subscription.monthlyValueMinor,
            currency: subscription.currency,
            targetPlanMonthlyValueMinor: target?.monthlyPriceMinor ?? null,
          });
          return [
            {
              code: offer.code,
              kind: offer.kind,
              label: offer.label,
              description: offer.description,
              parameters: offer.parameters as Record<string, unknown>,
              effect,
            },
          ];
        });
        return { items };
      },
    });
  };
}
