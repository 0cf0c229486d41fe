// Who is calling and whether they may: every /api route declares its access (public, or the
// staff roles that may call it) and the server refuses to start with a route that does not.
// Staff come with a session cookie (and a CSRF token on writes); other systems with an API key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../app/context.ts";
import { authenticateApiKey, authenticateSession, isCsrfTokenValid } from "../../app/sign-in.ts";
import { AppError } from "../../domain/errors.ts";
import type { Principal, StaffRole } from "../../domain/staff.ts";

export type Access = { public: true } | { roles: readonly StaffRole[] };

export const SESSION_COOKIE = "cd_session";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    sessionToken: string | undefined;
  }
  interface FastifyInstance {
    routeAccess: { method: string; url: string; access: Access }[];
  }
}

export const STAFF: readonly StaffRole[] = ["account_manager", "csm", "admin"];
export const ADMIN: readonly StaffRole[] = ["admin"];
export const PUBLIC: Access = { public: true };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Routes that other plugins add (the API reference page's assets) and that need no access rule. */
function isExempt(url: string): boolean {
  return !url.startsWith("/api/") || url.startsWith("/api/docs");
}

async function identify(ctx: AppContext, request: FastifyRequest): Promise<Principal | undefined> {
  const authorization = request.headers.authorization;
  if (authorization) {
    const [scheme, key] = authorization.split(" ");
    const principal = scheme === "Bearer" && key ? await authenticateApiKey(ctx, key) : undefined;
    if (!principal)
      throw new AppError("UNAUTHENTICATED", "The API key is not valid or has been revoked.");
    return principal;
  }
  const token = request.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const principal = await authenticateSession(ctx, token);
  if (principal) request.sessionToken = token;
  return principal;
}

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorate("routeAccess", []);
  app.decorateRequest("principal", undefined);
  app.decorateRequest("sessionToken", undefined);

  app.addHook("onRoute", (route) => {
    const url = route.url;
    if (isExempt(url)) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${url} declares no access rule`);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method !== "HEAD") app.routeAccess.push({ method, url, access });
    }
  });

  app.addHook("onRequest", async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (!access) return;
    if ("public" in access) {
      // A customer's page needs no credentials, and one it did not ask for (a proxy's Basic auth,
      // a stale key) must not turn the customer away.
      request.principal = await identify(ctx, request).catch((error: unknown) => {
        if (error instanceof AppError && error.kind === "UNAUTHENTICATED") return undefined;
        throw error;
      });
      return;
    }
    request.principal = await identify(ctx, request);
    const principal = request.principal;
    if (!principal) throw new AppError("UNAUTHENTICATED", "Sign in first.");
    if (principal.kind === "user" && !SAFE_METHODS.has(request.method)) {
      const given = request.headers[CSRF_HEADER];
      if (
        !isCsrfTokenValid(
          ctx.sessionSecret,
          request.sessionToken!,
          typeof given === "string" ? given : undefined,
        )
      ) {
        throw new AppError(
          "CSRF_TOKEN_INVALID",
          `Send the session's CSRF token in the ${CSRF_HEADER} header.`,
        );
      }
    }
    if (!access.roles.includes(principal.role)) {
      throw new AppError("FORBIDDEN", `This needs one of these roles: ${access.roles.join(", ")}.`);
    }
  });
}

/** The principal of a route that declared roles (so it is set); a bug if called on a public route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError("UNAUTHENTICATED", "Sign in first.");
  return request.principal;
}
