// Statements whose loss in a database crash harms no one (a quote, its stored reply, the claim of a
// quote request's key and jti) commit without waiting for the WAL to reach the disk. Put in a
// statement's output, this makes its own implicit transaction commit asynchronously; every
// transaction that must survive a crash still waits for the flush, and that flush takes every
// earlier asynchronous commit with it (the WAL is written in order). A crash of the gateway loses
// nothing (PostgreSQL has committed it); a crash of PostgreSQL itself may lose the last
// 3 × wal_writer_delay (0.6 s by default) of them. docs/architecture.md says what that can cost.
import { sql } from 'kysely';

/** An output column that switches the statement's transaction to asynchronous commit. */
export const asyncCommit = sql<string>`set_config('synchronous_commit', 'off', true)`;
