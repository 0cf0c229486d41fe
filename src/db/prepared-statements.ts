// The statements every request runs (the session lookup, a case command's read and its write) have
// SQL text that never changes between calls, only parameters. Profiling bench/lifecycle showed
// PostgreSQL spending a third of its CPU parsing and planning them again on every call, and the
// server a sixth of its CPU building and compiling them with Kysely. So a hot statement is:
// - compiled once per shape (`compileOnce`), then bound to each call's values; and
// - on PostgreSQL, a named prepared statement of each pooled connection (`PreparingClient`):
//   parsed once per connection, and planned once when PostgreSQL settles on a generic plan.
// Only texts registered here are prepared, so the number of statements a connection keeps is
// bounded by the code, not by the traffic (search queries, whose text varies, stay unnamed).
import { createHash } from "node:crypto";
import {
  type Compilable,
  CompiledQuery,
  type Kysely,
  type QueryResult,
  type RawBuilder,
} from "kysely";
import pg from "pg";

/** More distinct texts than the code can produce means a text carries values: stop naming. */
const MAX_PREPARED_TEXTS = 512;

const statementNames = new Map<string, string>();

/** Registers a statement text to be prepared once per PostgreSQL connection. */
function registerStatement(text: string): void {
  if (!statementNames.has(text) && statementNames.size < MAX_PREPARED_TEXTS) {
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 24);
    statementNames.set(text, `cd_${digest}`);
  }
}

/**
 * A pg client that sends registered texts as named statements. pg keeps the names it has parsed
 * on each connection and sends only Bind/Execute for them afterwards.
 */
export class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() is overloaded many ways; this passes them all through.
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string") {
      const name = statementNames.get(config);
      if (name) {
        return super.query(
          { name, text: config, values: Array.isArray(values) ? values : undefined },
          Array.isArray(values) ? callback : values,
        );
      }
    }
    return super.query(config, values, callback);
  }
}

/** A value standing for the n-th argument while a statement is compiled for the first time. */
class Placeholder {
  constructor(readonly index: number) {}
}

type Binding = { argument: number } | { constant: unknown };

/**
 * A statement built with Kysely once, then run with new values: `build` is called once with
 * placeholders for its arguments, and each placeholder must reach the SQL as a parameter unchanged
 * (pass values already in the form they are bound in, e.g. JSON text for a jsonb parameter).
 * Constants the builder adds (a `limit 1`) stay as compiled.
 */
export function compileOnce<Args extends unknown[], Row>(
  // biome-ignore lint/suspicious/noExplicitAny: the builder only needs a query compiler, of any schema.
  build: (db: Kysely<any>, ...args: Args) => Compilable<Row> | RawBuilder<Row>,
  // biome-ignore lint/suspicious/noExplicitAny: see above.
): (db: Kysely<any>, ...args: Args) => Promise<QueryResult<Row>> {
  let compiled: { sql: string; bindings: Binding[]; arity: number } | undefined;
  return async (db, ...args) => {
    if (!compiled) {
      const placeholders = args.map((_, index) => new Placeholder(index)) as unknown as Args;
      // A raw `sql` statement compiles with the database's compiler; a query builder has its own.
      const query = (build(db, ...placeholders) as RawBuilder<Row>).compile(db);
      const bindings = query.parameters.map(
        (p): Binding => (p instanceof Placeholder ? { argument: p.index } : { constant: p }),
      );
      const used = new Set(bindings.flatMap((b) => ("argument" in b ? [b.argument] : [])));
      if (used.size !== args.length) {
        throw new Error(
          `compileOnce: ${args.length - used.size} argument(s) did not become parameters`,
        );
      }
      registerStatement(query.sql);
      compiled = { sql: query.sql, bindings, arity: args.length };
    }
    if (args.length !== compiled.arity) throw new Error("compileOnce: called with another arity");
    const parameters = compiled.bindings.map((b) =>
      "argument" in b ? args[b.argument] : b.constant,
    );
    return db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, parameters));
  };
}
