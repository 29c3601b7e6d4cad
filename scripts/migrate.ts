// `npm run migrate`: applies pending migrations to DATABASE_URL (or to the embedded database).
import { loadConfig } from '../runtime/config.ts';
import { ensurePostgres } from '../runtime/local-services.ts';
import { createLogger } from '../runtime/logger.ts';
import { createDatabase } from '../store/connection.ts';
import { ensureDatabase, withDatabase } from '../store/database-url.ts';
import { migrateToLatest } from '../store/migrator.ts';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'migrate');
const postgres = await ensurePostgres({
  databaseUrl: config.DATABASE_URL,
  dataDir: config.DATA_DIR,
  embeddedPort: config.EMBEDDED_POSTGRES_PORT,
  logger,
});
const url = postgres.startedHere ? withDatabase(postgres.address, 'alliance') : postgres.address;
if (postgres.startedHere) await ensureDatabase(url);
const db = createDatabase({ url, poolSizeMax: 1 });
try {
  const applied = await migrateToLatest(db);
  logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database already up to date');
} finally {
  await db.destroy();
  await postgres.stop();
}
