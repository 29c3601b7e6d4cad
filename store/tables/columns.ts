// Column types shared by every table: what the database fills, what never changes once written.
import type { ColumnType } from 'kysely';

export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type ImmutableTimestamp = ColumnType<Date, Date | string | undefined, never>;
export type Immutable<T> = ColumnType<T, T, never>;
export type Json = ColumnType<unknown, string, never>;
export type Serial = ColumnType<bigint, never, never>;
