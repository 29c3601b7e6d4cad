// Hot statements built and compiled by Kysely once, then run with new values: per call, no builder
// objects to make and freeze and no compiler pass, only the parameters put in order.
import { CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './database.ts';

type Slot<Name extends string> = { name: Name } | { constant: unknown };

export interface CompiledOnce<Name extends string, Row> {
  execute(db: Kysely<Database>, values: Record<Name, unknown>): Promise<QueryResult<Row>>;
}

/**
 * `build` receives the first caller's database (only to build with) and one placeholder per name and must use each value only as a parameter (not to
 * decide the statement's shape). Parameters that are no placeholder are constants of the statement.
 */
export function compiledOnce<Name extends string, Row>(
  names: readonly Name[],
  build: (db: Kysely<Database>, placeholders: Record<Name, unknown>) => CompiledQuery<Row>,
): CompiledOnce<Name, Row> {
  let compiled: { text: string; slots: Slot<Name>[] } | undefined;
  const compile = (db: Kysely<Database>) => {
    const placeholders = new Map<unknown, Name>(names.map((name) => [{ placeholder: name }, name]));
    const query = build(
      db,
      Object.fromEntries([...placeholders].map(([value, name]) => [name, value])) as never,
    );
    const { sql, parameters } = query;
    const slots = parameters.map((value): Slot<Name> => {
      const name = placeholders.get(value);
      return name === undefined ? { constant: value } : { name };
    });
    return { text: sql, slots };
  };
  return {
    execute(db, values) {
      compiled ??= compile(db);
      const parameters = compiled.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.constant));
      return db.executeQuery(CompiledQuery.raw(compiled.text, parameters) as CompiledQuery<Row>);
    },
  };
}
