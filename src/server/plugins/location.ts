// A 201 says where the created resource can be read again: `Location: /api/<resource>/<id>` on
// routes that have a GET by id. The path is derived from the answer's body, in one hook that runs
// for every object answer, so a 201 replayed from an Idempotency-Key (which keeps the status and
// the body, not the headers) carries the same Location as the first one without storing it.
import type { FastifyInstance } from "fastify";

/** How a route finds its created resource's path in its 201 body (undefined: no Location). */
export type Locator = (body: unknown) => string | undefined;

declare module "fastify" {
  interface FastifyContextConfig {
    location?: Locator;
  }
}

/**
 * `base/<id>`, the id read from the body (its `id` unless `idOf` says where); no Location when
 * the body has none.
 */
export function locatedUnder(
  base: string,
  idOf: (body: Record<string, unknown>) => unknown = (body) => body.id,
): Locator {
  return (body) => {
    if (typeof body !== "object" || body === null) return undefined;
    const id = idOf(body as Record<string, unknown>);
    if (typeof id !== "string" && typeof id !== "number") return undefined;
    return `${base}/${encodeURIComponent(String(id))}`;
  };
}

export function registerLocation(app: FastifyInstance): void {
  app.addHook("preSerialization", async (request, reply, payload) => {
    const locate = request.routeOptions.config?.location;
    if (reply.statusCode !== 201 || !locate) return payload;
    const location = locate(payload);
    if (location !== undefined) reply.header("location", location);
    return payload;
  });
}
