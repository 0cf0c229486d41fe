// Workspace settings: the company's name and logo the customer pages show (public, as branding)
// and, for admins, the settings themselves with the analytics' save validation period.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { getSettings, updateSettings } from "../../../app/settings.ts";
import { ADMIN, PUBLIC, principalOf } from "../../plugins/auth.ts";
import { errorResponses } from "../common.ts";

/** Public like the other customer endpoints, with the same rate per address. */
const PUBLIC_LIMIT = { max: 30, timeWindow: "1 minute" };

const brandingJson = z
  .object({ companyName: z.string(), logoUrl: z.string().nullable() })
  .meta({ id: "Branding" });

const settingsJson = z
  .object({
    companyName: z.string(),
    logoUrl: z.string().nullable(),
    saveValidationDays: z
      .number()
      .describe("analytics: a save counts when the customer is still subscribed this many days on"),
  })
  .meta({ id: "Settings" });

export function settingsRoutes(ctx: AppContext) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();

    app.get("/api/public/branding", {
      config: { access: PUBLIC, rateLimit: PUBLIC_LIMIT },
      schema: {
        tags: ["customer"],
        summary: "The company's name and logo, for the customer pages",
        response: { 200: brandingJson, ...errorResponses },
      },
      handler: async () => {
        const { companyName, logoUrl } = await getSettings(ctx.db);
        return { companyName, logoUrl };
      },
    });

    app.get("/api/settings", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["settings"],
        summary: "The workspace settings",
        response: { 200: settingsJson, ...errorResponses },
      },
      handler: async () => getSettings(ctx.db),
    });

    app.patch("/api/settings", {
      config: { access: { roles: ADMIN } },
      schema: {
        tags: ["settings"],
        summary: "Change some settings; the others keep their values",
        // Types are checked here; lengths, URL forms and ranges by updateSettings, which names
        // the field in the same VALIDATION_FAILED shape.
        body: z.object({
          companyName: z.string({ error: "must be text" }).optional(),
          logoUrl: z.string({ error: "must be a URL or null" }).nullable().optional(),
          saveValidationDays: z.number({ error: "must be a whole number of days" }).optional(),
        }),
        response: { 200: settingsJson, ...errorResponses },
      },
      handler: async (request) => {
        const principal = principalOf(request);
        const { companyName, logoUrl, saveValidationDays } = request.body;
        return updateSettings(
          ctx.db,
          {
            ...(companyName !== undefined ? { companyName } : {}),
            ...(logoUrl !== undefined ? { logoUrl: logoUrl === "" ? null : logoUrl } : {}),
            ...(saveValidationDays !== undefined ? { saveValidationDays } : {}),
          },
          principal.kind === "user" ? principal.userId : null,
          ctx.now(),
        );
      },
    });
  };
}
