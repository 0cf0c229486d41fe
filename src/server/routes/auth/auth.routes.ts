// Sign-in, sign-out and "who am I". The session lives server-side; the browser holds only an
// httpOnly, SameSite cookie with the session token, and reads the CSRF token from these answers.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../../../app/context.ts";
import { signInInput } from "../../../app/inputs.ts";
import { csrfTokenFor, signIn, signOut } from "../../../app/sign-in.ts";
import { findUserById } from "../../../db/repositories/users.repository.ts";
import { AppError } from "../../../domain/errors.ts";
import { PUBLIC, SESSION_COOKIE, STAFF } from "../../plugins/auth.ts";
import { errorResponses } from "../common.ts";
import { presentUser, userJson } from "../users/user.routes.ts";

const sessionJson = z.object({ user: userJson, csrfToken: z.string() }).meta({ id: "Session" });

export interface SignInLimits {
  max: number;
  timeWindow: string;
}

export function authRoutes(
  ctx: AppContext,
  options: { secureCookies: boolean; signInLimit: SignInLimits },
) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    app.post("/api/auth/sign-in", {
      // The body is a password and the answer a session cookie: nothing to keep or replay.
      config: { access: PUBLIC, rateLimit: options.signInLimit, idempotency: { off: true } },
      schema: {
        tags: ["auth"],
        summary: "Sign in with email and password; sets the session cookie",
        body: signInInput,
        response: {
          200: sessionJson,
          ...errorResponses,
          423: errorResponses[400],
          429: errorResponses[400],
        },
      },
      handler: async (request, reply) => {
        const session = await signIn(ctx, request.body);
        reply.setCookie(SESSION_COOKIE, session.token, {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          secure: options.secureCookies,
          expires: session.expiresAt,
        });
        return { user: presentUser(session.user), csrfToken: session.csrfToken };
      },
    });
    app.post("/api/auth/sign-out", {
      config: { access: { roles: STAFF } },
      schema: { tags: ["auth"], response: { 204: z.null(), ...errorResponses } },
      handler: async (request, reply) => {
        if (request.sessionToken) await signOut(ctx, request.sessionToken);
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return reply.status(204).send(null);
      },
    });
    app.get("/api/auth/session", {
      config: { access: PUBLIC },
      schema: {
        tags: ["auth"],
        summary: "The signed-in user and the CSRF token",
        response: { 200: sessionJson, ...errorResponses },
      },
      handler: async (request) => {
        const principal = request.principal;
        if (principal?.kind !== "user" || !request.sessionToken)
          throw new AppError("UNAUTHENTICATED", "Sign in first.");
        const user = await findUserById(ctx.db, principal.userId);
        if (!user) throw new AppError("UNAUTHENTICATED", "Sign in first.");
        return {
          user: presentUser(user),
          csrfToken: csrfTokenFor(ctx.sessionSecret, request.sessionToken),
        };
      },
    });
  };
}
