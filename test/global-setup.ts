// Starts the real services the suite needs, once: a fresh PostgreSQL database with every migration
// (on DATABASE_URL's server, or an embedded server) and a Temporal development server (unless
// TEMPORAL_ADDRESS is given). Tests read the addresses with inject().
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildGateway } from '../bench/lib/processes.ts';
import { ensurePostgres, ensureTemporal } from '../runtime/local-services.ts';
import { createLogger } from '../runtime/logger.ts';
import { projectDir } from '../runtime/project-dir.ts';
import { createDatabase } from '../store/connection.ts';
import { dropDatabase, ensureDatabase, withDatabase } from '../store/database-url.ts';
import { migrateToLatest } from '../store/migrator.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A database of this run with every migration applied. */
    databaseUrl: string;
    /** The server's URL, for tests that make databases of their own. */
    databaseServerUrl: string;
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject) {
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'test-setup');
  // The crash tests kill and restart the compiled gateway (test/chaos/alliance.ts): built here, once.
  buildGateway();
  const postgres = await ensurePostgres({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.join(projectDir, '.data', 'test'),
    embeddedPort: 54339,
    logger,
  });
  const databaseUrl = withDatabase(postgres.address, `alliance_test_${process.pid}_${Date.now()}`);
  await ensureDatabase(databaseUrl);
  const db = createDatabase({ url: databaseUrl, poolSizeMax: 2 });
  await migrateToLatest(db);
  await db.destroy();

  const temporal = await ensureTemporal({
    address: process.env.TEMPORAL_ADDRESS,
    cliPath: process.env.TEMPORAL_CLI_PATH,
    namespace: 'default',
    // Tests provoke timeouts and slow calls on purpose; the server's warnings about them are noise.
    serverLogLevel: 'error',
    logger,
  });

  project.provide('databaseUrl', databaseUrl);
  project.provide('databaseServerUrl', postgres.address);
  project.provide('temporalAddress', temporal.address);

  return async () => {
    await temporal.stop();
    await dropDatabase(databaseUrl);
    await postgres.stop();
  };
}
