// Builds the Fastify application (without listening), so tests drive it with inject() and
// main.ts serves it. HTTP only translates: the work happens in src/app.
import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from "fastify";
import { jsonSchemaTransformObject, serializerCompiler } from "fastify-type-provider-zod";
import type { AppContext } from "../app/context.ts";
import { openApiTransform } from "./openapi.ts";
import { PUBLIC, registerAuth } from "./plugins/auth.ts";
import { registerErrorHandler } from "./plugins/error-handler.ts";
import { registerIdempotency } from "./plugins/idempotency.ts";
import { registerLocation } from "./plugins/location.ts";
import { registerSecurityHeaders } from "./plugins/security-headers.ts";
import { validatorCompiler } from "./request-validation.ts";
import { accountRoutes } from "./routes/accounts/account.routes.ts";
import { analyticsRoutes } from "./routes/analytics/analytics.routes.ts";
import { apiKeyRoutes } from "./routes/api-keys/api-key.routes.ts";
import { authRoutes, type SignInLimits } from "./routes/auth/auth.routes.ts";
import { caseRoutes } from "./routes/cases/case.routes.ts";
import { offerOptionRoutes } from "./routes/cases/offer-options.routes.ts";
import { contactRoutes } from "./routes/contacts/contact.routes.ts";
import { documentationRoutes } from "./routes/documentation/documentation.routes.ts";
import { importRoutes } from "./routes/imports/import.routes.ts";
import { smsStatusRoutes } from "./routes/integrations/sms-status.routes.ts";
import { messageRoutes } from "./routes/messages/message.routes.ts";
import { planRoutes } from "./routes/plans/plan.routes.ts";
import { policyRoutes } from "./routes/policy/policy.routes.ts";
import { customerRoutes } from "./routes/public/customer.routes.ts";
import { settingsRoutes } from "./routes/settings/settings.routes.ts";
import { subscriptionRoutes } from "./routes/subscriptions/subscription.routes.ts";
import { systemRoutes } from "./routes/system/system.routes.ts";
import { userRoutes } from "./routes/users/user.routes.ts";
import { webAppRoutes } from "./routes/web/web-app.routes.ts";
import { webhookRoutes } from "./routes/webhooks/webhook.routes.ts";

export interface AppOptions {
  ctx: AppContext;
  logger?: FastifyServerOptions["logger"];
  publicUrl: string;
  signInLimit?: SignInLimits;
  /** The built web app's folder (dist/web); when given, it is served outside /api. */
  webRoot?: string;
  /** Verifies the SMS provider's status callbacks; without it they are refused. */
  smsCallbackSecret?: string | undefined;
  /** Whose X-Forwarded-For to believe (see Config.trustProxy); nobody's by default. */
  trustProxy?: boolean | number | string;
  /** Cases read per page while a drill-down streams as CSV (2,000; tests cross pages sooner). */
  csvPageSize?: number;
  /** True once the process is stopping: /readyz says so, so the balancer sends no more. */
  isStopping?: () => boolean;
}

/** Believes the nearest `hops` proxies' X-Forwarded-For entries (proxy-addr's hop count). */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { ctx } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    // Honour a caller's request id (a load balancer's) when it looks like one; else make one.
    genReqId: (request) => {
      const given = request.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy:
      typeof options.trustProxy === "number"
        ? trustHops(options.trustProxy)
        : (options.trustProxy ?? false),
  });
  app.setValidatorCompiler(validatorCompiler);
  // What was asked (method, path with any customer token masked) and how it was answered, in one
  // line an operator can search by path or status without joining lines by request id.
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      { req: request, res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime },
      "request completed",
    );
  });
  // A command with nothing to say (send the code, process, request feedback) may be posted
  // without a body, like the other action routes; a required field is then named as missing.
  // Clients that always send Content-Type: application/json send an empty body, which Fastify's
  // own parser refuses as invalid JSON: read it as no body instead.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    if (body === "") return done(null, undefined);
    parseJson(request, body as string, done);
  });
  app.addHook("preValidation", async (request) => {
    if (request.body == null && request.routeOptions.schema?.body) request.body = {};
  });
  app.setSerializerCompiler(serializerCompiler);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });

  registerErrorHandler(app);
  await app.register(fastifyCookie);
  registerSecurityHeaders(app, {
    // The API reference page and the web app load their scripts and styles from this server only.
    // 'unsafe-inline' styles are for Mantine, which sets CSS variables in style attributes and a
    // <style> element at run time; scripts stay 'self' only (no inline script in the built app).
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // The company logo (settings) may be an https: URL of the company's own site.
        imgSrc: ["'self'", "data:", "https:"],
      },
    },
  });
  await app.register(fastifyRateLimit, { global: false });
  registerAuth(app, ctx);
  registerIdempotency(app, ctx);
  registerLocation(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "CancelDesk API",
        version: "1.0.0",
        description:
          "Runs WootRecruit's Subscription Cancellation Policy. Authenticate with `Authorization: Bearer <API key>`, " +
          "or with the session cookie plus the `x-csrf-token` header on writes. Errors are `{ code, message, fields? }`.",
      },
      servers: [{ url: options.publicUrl }],
      components: {
        securitySchemes: {
          apiKey: {
            type: "http",
            scheme: "bearer",
            description: "An API key created by an admin (cdk_...)",
          },
          session: { type: "apiKey", in: "cookie", name: "cd_session" },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    transform: openApiTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs", staticCSP: true });

  app.get("/api/openapi.json", { config: { access: PUBLIC }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const secureCookies = options.publicUrl.startsWith("https:");
  await app.register(systemRoutes(ctx, options.isStopping));
  await app.register(
    authRoutes(ctx, {
      secureCookies,
      signInLimit: options.signInLimit ?? { max: 10, timeWindow: "1 minute" },
    }),
  );
  await app.register(userRoutes(ctx));
  await app.register(apiKeyRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(contactRoutes(ctx));
  await app.register(planRoutes(ctx));
  await app.register(subscriptionRoutes(ctx));
  await app.register(policyRoutes(ctx));
  await app.register(caseRoutes(ctx));
  await app.register(customerRoutes(ctx));
  await app.register(offerOptionRoutes(ctx));
  await app.register(documentationRoutes(ctx));
  await app.register(settingsRoutes(ctx));
  await app.register(importRoutes(ctx));
  await app.register(webhookRoutes(ctx));
  await app.register(messageRoutes(ctx));
  await app.register(analyticsRoutes(ctx, options.csvPageSize));
  await app.register(smsStatusRoutes(ctx, { callbackSecret: options.smsCallbackSecret }));
  if (options.webRoot) await app.register(webAppRoutes(options.webRoot));
  return app;
}
