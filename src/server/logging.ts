// What the server writes to its log about a request. Customer links carry their token in the
// path (`/api/public/links/<token>`, `/c/<token>`), and a token in a log is a key to the
// customer's case for whoever reads the log: paths are logged with it masked. Sessions and API
// keys travel in headers, which are never logged whole.
import type { FastifyRequest, FastifyServerOptions } from "fastify";

const TOKEN_IN_PATH = /^(\/api\/public\/links\/|\/c\/)[^/?#]+/;

/** The URL with a customer link's token replaced by `[token]`. */
export function logSafeUrl(url: string): string {
  return url.replace(TOKEN_IN_PATH, "$1[token]");
}

export function loggerOptions(level: string): Exclude<FastifyServerOptions["logger"], boolean> {
  return {
    level,
    redact: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: logSafeUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
      }),
    },
  };
}
