// Liveness and readiness for load balancers and orchestrators.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../app/context.ts";
import { isDatabaseReachable } from "../../../db/database.ts";

export function systemRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
      const ready = await isDatabaseReachable(ctx.db);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? "ready" : "database unreachable" });
    });
  };
}
