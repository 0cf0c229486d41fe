// API keys for other systems (help desk, CRM, billing). The key is shown once, at creation; only
// its hash is stored.
import { insertApiKey, revokeApiKey } from "../db/repositories/api-keys.repository.ts";
import { notFound } from "../domain/errors.ts";
import type { ApiKey, Principal } from "../domain/staff.ts";
import type { Db } from "./context.ts";
import type { ApiKeyCreateInput } from "./inputs.ts";
import { hashToken, newToken } from "./secrets.ts";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function newPrefix(): string {
  const bytes = newToken(24);
  let prefix = "";
  for (const char of bytes) {
    if (ALPHANUMERIC.includes(char)) prefix += char;
    if (prefix.length === 12) break;
  }
  return prefix.padEnd(12, "0");
}

export async function createApiKey(
  db: Db,
  actor: Principal,
  input: ApiKeyCreateInput,
): Promise<{ apiKey: ApiKey; key: string }> {
  const prefix = newPrefix();
  const key = `cdk_${prefix}_${newToken(32)}`;
  const apiKey = await insertApiKey(db, {
    name: input.name,
    prefix,
    keyHash: hashToken(key),
    role: input.role,
    createdBy: actor.kind === "user" ? actor.userId : null,
  });
  return { apiKey, key };
}

export async function revokeApiKeyById(db: Db, id: string): Promise<ApiKey> {
  const apiKey = await revokeApiKey(db, id);
  if (!apiKey) throw notFound("API key", id);
  return apiKey;
}
