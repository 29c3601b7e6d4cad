// Starts what is missing for a local run or a test run: PostgreSQL unless DATABASE_URL is given,
// the Temporal development server unless TEMPORAL_ADDRESS is given. When one cannot start, the error
// is a ServiceStartError whose message says why in one line, for `npm start` to print as it is.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
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

/** A service could not start, for a reason outside this program (a port taken, a folder unusable). */
export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The Temporal SDK takes a port that answers for its server started: with the port already taken,
 * it would wait on (or use) whatever listens there while its own server has exited. So the ports
 * are checked first.
 */
async function requirePortFree(port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') return reject(error);
      reject(
        new ServiceStartError(
          `the Temporal development server cannot start: port ${port} (${setting}) is already in use by another process`,
        ),
      );
    });
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
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
  }).catch((error: unknown) => {
    throw new ServiceStartError(`the embedded PostgreSQL cannot start: ${messageOf(error)}`, {
      cause: error,
    });
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
  /** The server's own log level (its lines go to this process's output); warn unless asked. */
  serverLogLevel?: 'debug' | 'info' | 'warn' | 'error';
  logger: Logger;
}): Promise<RunningService & { uiUrl: string | null }> {
  if (options.address)
    return { address: options.address, startedHere: false, uiUrl: null, stop: async () => {} };
  const executable = (() => {
    try {
      return findTemporalExecutable({ cliPath: options.cliPath, searchPath: process.env.PATH, projectDir });
    } catch (error) {
      throw new ServiceStartError(`the Temporal development server cannot start: ${messageOf(error)}`);
    }
  })();
  if (options.port) await requirePortFree(options.port, 'TEMPORAL_DEV_SERVER_PORT');
  if (options.uiPort) await requirePortFree(options.uiPort, 'TEMPORAL_UI_PORT');
  if (options.databaseFile) {
    // The server refuses a database file whose folder does not exist yet (DATA_DIR made by nothing
    // else when DATABASE_URL is given).
    const folder = path.dirname(path.resolve(options.databaseFile));
    try {
      mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new ServiceStartError(`the Temporal development server cannot start: ${messageOf(error)}`);
    }
  }
  installTemporalRuntime(options.logger);
  options.logger.info({ executable }, 'starting the Temporal development server');
  const environment = await TestWorkflowEnvironment.createLocal({
    server: {
      executable,
      namespace: options.namespace,
      ...(options.databaseFile ? { dbFilename: path.resolve(options.databaseFile) } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.uiPort ? { ui: true, uiPort: options.uiPort } : {}),
      log: { format: 'json', level: options.serverLogLevel ?? 'warn' },
    },
  }).catch((error: unknown) => {
    // The server's own reason, if it gave one, is the line it printed just before (its output is
    // this process's); the SDK's message adds only that it did not answer, then transport details.
    const firstSentence = messageOf(error)
      .split('. ')[0]
      ?.replace(/^Failed to start ephemeral server: /, '');
    throw new ServiceStartError(
      `the Temporal development server did not start: ${firstSentence} (its own message, if it printed one, is just above)`,
      { cause: error },
    );
  });
  return {
    address: environment.address,
    startedHere: true,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : null,
    stop: () => environment.teardown(),
  };
}
