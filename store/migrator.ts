// Runs the Kysely migrations in migrations/ and reports each one; a failure stops start-up.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, type MigrationResultSet, Migrator, NO_MIGRATIONS } from 'kysely/migration';

const migrationFolder = path.resolve(import.meta.dirname, '..', 'migrations');

// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen and typed over Kysely<any>.
export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({
      fs,
      path,
      migrationFolder,
      import: (file) => import(pathToFileURL(file).href),
    }),
  });
}

function unwrap(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((entry) => entry.status === 'Error');
    const name = failed ? ` (${failed.migrationName})` : '';
    throw new Error(`migration failed${name}: ${String(result.error)}`, { cause: result.error });
  }
  return (result.results ?? []).map((entry) => `${entry.direction} ${entry.migrationName}`);
}

/** Applies every pending migration; returns what it applied, in order. */
// biome-ignore lint/suspicious/noExplicitAny: see createMigrator.
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return unwrap(await createMigrator(db).migrateToLatest());
}

/** Reverts every migration; used by the test that proves each `down` works. */
// biome-ignore lint/suspicious/noExplicitAny: see createMigrator.
export async function migrateToEmpty(db: Kysely<any>): Promise<string[]> {
  return unwrap(await createMigrator(db).migrateTo(NO_MIGRATIONS));
}
