// Starts what is missing for a local run or a test run: PostgreSQL unless DATABASE_URL is given,
// the Temporal development server unless TEMPORAL_ADDRESS is given.
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import type { Logger } from './logger.ts';
import { projectDir } from './project-dir.ts';
import { findTemporalExecutable } from './temporal-cli.ts';
import { installTemporalRuntime } from './temporal-runtime.ts';

export interface RunningService {
  /** Where to reach it: a postgres:// URL, or a Temporal host:port. */
  address: string;
  /** True when this process started it (and so stops it). */
  startedHere: boolean;
  stop(): Promise<void>;
}

export async function ensurePostgres(options: {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  logger: Logger;
}): Promise<RunningService> {
  if (options.databaseUrl) return { address: options.databaseUrl, startedHere: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dataDir: options.dataDir,
    port: options.embeddedPort,
    logger: options.logger,
  });
  return { address: server.serverUrl, startedHere: true, stop: server.stop };
}

export async function ensureTemporal(options: {
  address: string | undefined;
  cliPath: string | undefined;
  namespace: string;
  /** Keeps workflow history across restarts in this SQLite file; in memory when absent. */
  databaseFile?: string;
  port?: number;
  uiPort?: number;
  logger: Logger;
}): Promise<RunningService & { uiUrl: string | null }> {
  if (options.address)
    return { address: options.address, startedHere: false, uiUrl: null, stop: async () => {} };
  const executable = findTemporalExecutable({
    cliPath: options.cliPath,
    searchPath: process.env.PATH,
    projectDir,
  });
  installTemporalRuntime(options.logger);
  options.logger.info({ executable }, 'starting the Temporal development server');
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      namespace: options.namespace,
      ...(options.databaseFile ? { dbFilename: path.resolve(options.databaseFile) } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      log: { format: 'json', level: 'warn' },
    },
  });
  return {
    address: environment.address,
    startedHere: true,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    stop: () => environment.teardown(),
  };
}
