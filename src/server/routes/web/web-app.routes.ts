// Serves the built web app (web/ built by Vite into dist/web) from the same server as the API:
// files as they are, and index.html for every other GET outside /api, so the browser's router
// can take over (a deep link like /cases/CD-2026-00042 works on reload). /api keeps its JSON 404.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where `vite build` puts the app (see web/vite.config.ts). */
export const DEFAULT_WEB_ROOT = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../../dist/web",
);

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CancelDesk</title></head>
<body><main><h1>CancelDesk</h1><p>The web app is not built yet. Run <code>npm run build:web</code>
(or <code>npm start</code>, which builds it) and reload this page. The API is at <a href="/api/docs">/api/docs</a>.</p></main></body></html>`;

function isApi(url: string): boolean {
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

export function webAppRoutes(root: string) {
  return async (app: FastifyInstance) => {
    const built = existsSync(path.join(root, "index.html"));
    if (built) {
      await app.register(fastifyStatic, {
        root,
        prefix: "/",
        wildcard: false,
        index: false,
        // The build writes .br and .gz copies (web/vite.config.ts): sent when the browser takes them.
        preCompressed: true,
        setHeaders: (res, file) => {
          // Vite puts a content hash in every asset's name: those never change.
          if (file.includes(`${path.sep}assets${path.sep}`))
            res.header("cache-control", "public, max-age=31536000, immutable");
        },
      });
    }
    const fallback = async (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.url.split("?")[0] ?? "/";
      // /api answers JSON; a missing file (a name with an extension) is a plain 404, not the app.
      if (isApi(url) || /\.[a-z0-9]{1,8}$/i.test(url)) return reply.callNotFound();
      reply.header("cache-control", "no-cache");
      if (!built) return reply.type("text/html").send(NOT_BUILT);
      return reply.type("text/html").sendFile("index.html");
    };
    // The web app's pages are not part of the API: kept out of the OpenAPI document.
    app.get("/", { schema: { hide: true } }, fallback);
    app.get("/*", { schema: { hide: true } }, fallback);
  };
}
