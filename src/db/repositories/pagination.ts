// Keyset ("cursor") pagination: a page is everything after the last row of the previous page in
// a fixed order of (sort key, id), so pages stay stable while rows are added and a deep page
// costs the same as the first one. The cursor is opaque to clients.
import { type Expression, type RawBuilder, type SqlBool, sql } from "kysely";
import { AppError } from "../../domain/errors.ts";

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorPosition {
  key: string;
  id: string;
}

/**
 * `tag` names the order a list was walked in (e.g. `updated:desc`) when a list has several: a
 * cursor from one order is refused by another instead of silently skipping rows.
 */
export function encodeCursor(position: CursorPosition, tag?: string): string {
  const value = tag ? [position.key, position.id, tag] : [position.key, position.id];
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeCursor(cursor: string, tag?: string): CursorPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(value) &&
      typeof value[0] === "string" &&
      typeof value[1] === "string" &&
      (value[2] ?? undefined) === tag
    ) {
      return { key: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw notACursor();
}

export function notACursor(): AppError {
  return new AppError("VALIDATION_FAILED", "cursor: is not a cursor this API returned", {
    fields: [{ field: "cursor", message: "is not a cursor this API returned" }],
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An instant as cursors carry it: ISO 8601 (from JavaScript, or formatted so by the query), or
// `infinity` where a list puts rows without a time last.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?$/;

function isInstant(text: string): boolean {
  if (text === "infinity" || text === "-infinity") return true;
  const match = INSTANT.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const date = new Date(Date.UTC(year!, month! - 1, day!));
  // What PostgreSQL casts without an error: no year 0, offsets within ±15:59.
  return (
    year! >= 1 &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    offsetHours! <= 15 &&
    offsetMinutes! < 60
  );
}

/**
 * `(sortKey, id) > (cursor.key, cursor.id)` (or `<` when the list runs newest first): the rows
 * after the cursor, using the (key, id) index.
 */
export function afterCursor(
  sortKey: Expression<unknown>,
  idColumn: string,
  cursor: string | undefined,
  castAs: "text" | "timestamptz" = "text",
  direction: "asc" | "desc" = "asc",
  tag?: string,
): RawBuilder<SqlBool> {
  if (!cursor) return sql<SqlBool>`true`;
  const position = decodeCursor(cursor, tag);
  // What the database would cast: a forged cursor is the caller's mistake (400), not a 500.
  if (!UUID.test(position.id) || (castAs === "timestamptz" && !isInstant(position.key))) {
    throw notACursor();
  }
  const key =
    castAs === "timestamptz" ? sql`${position.key}::timestamptz` : sql`${position.key}::text`;
  const operator = direction === "asc" ? sql`>` : sql`<`;
  return sql<SqlBool>`(${sortKey}, ${sql.ref(idColumn)}) ${operator} (${key}, ${position.id}::uuid)`;
}

/**
 * A time as a cursor key, to the microsecond PostgreSQL keeps: a JavaScript Date (milliseconds)
 * would put the cursor before rows in the same millisecond and a page would skip them.
 */
export function instantKey(column: Expression<unknown>): RawBuilder<string> {
  return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Cuts the one extra row a list query fetched (limit + 1) into a page and its next cursor. */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => { key: string; id: string },
  map: (row: Row) => T,
  tag?: string,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last ? encodeCursor(keyOf(last), tag) : null,
  };
}

/** Escapes % and _ so a user's search text matches literally inside ILIKE. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
