// The offer picker's data: the offers the engine lets the caller present on a case now (the
// presentOffer entries of nextActions), each with its definition and its effect on the monthly
// value as the domain computes it, so the web app shows offers without holding a rule of its own.
// A discount offer names the discount already running on the subscription, which it would replace.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { actorOf } from "../../../app/run-case-command.ts";
import { viewCaseWithFacts } from "../../../app/view-case.ts";
import {
  computeOfferEffectOn,
  discountReplacedBy,
  runningDiscountOf,
} from "../../../domain/offers.ts";
import { findOffer } from "../../../domain/policy-definition.ts";
import { principalOf, STAFF } from "../../plugins/auth.ts";
import { errorResponses } from "../common.ts";
import { runningDiscountJson } from "../subscriptions/subscription.routes.ts";

/** An offer's effect on the subscription's monthly value (the customer's offer page shows it too). */
export const offerEffectJson = z
  .object({
    currency: z.string(),
    monthlyValueBeforeMinor: z.number(),
    monthlyValueDuringMinor: z.number().nullable(),
    durationMonths: z.number().nullable(),
    monthlyValueAfterMinor: z.number().nullable(),
    oneTimeCreditMinor: z.number(),
  })
  .meta({ id: "OfferEffect" });

const offerOptionJson = z
  .object({
    code: z.string(),
    kind: z.string(),
    label: z.string(),
    description: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    effect: offerEffectJson,
    replacesDiscount: runningDiscountJson
      .nullable()
      .describe(
        "for a discount offer: the discount running on the subscription now, which accepting this one replaces (billing keeps one discount; they do not add up); null otherwise",
      ),
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
        const { view, facts } = await viewCaseWithFacts(ctx, request.params.id, actorOf(principal));
        const codes = view.nextActions.allowed
          .filter((a) => a.kind === "presentOffer" && a.offerCode)
          .map((a) => a.offerCode!);
        const { policy, subscription } = facts.context;
        const running = runningDiscountOf(facts.subscription, ctx.now());
        const runningJson = running && { ...running, endsAt: running.endsAt.toISOString() };
        const items = codes.flatMap((code) => {
          const offer = findOffer(policy, code);
          if (!offer) return [];
          const effect = computeOfferEffectOn(offer, subscription);
          return [
            {
              code: offer.code,
              kind: offer.kind,
              label: offer.label,
              description: offer.description,
              parameters: offer.parameters as Record<string, unknown>,
              effect,
              replacesDiscount: discountReplacedBy(offer, runningJson),
            },
          ];
        });
        return { items };
      },
    });
  };
}
