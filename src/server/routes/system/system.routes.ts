// Liveness and readiness for load balancers and orchestrators.
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../../../app/context.ts";
import { isDatabaseReachable } from "../../../db/database.ts";

export function systemRoutes(ctx: AppContext, isStopping: () => boolean = () => false) {
  return async (app: FastifyInstance) => {
    app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
      // A stopping server finishes what it has but takes nothing new.
      if (isStopping()) return reply.status(503).send({ status: "stopping" });
      const ready = await isDatabaseReachable(ctx.db);
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? "ready" : "database unreachable" });
    });
  };
}
