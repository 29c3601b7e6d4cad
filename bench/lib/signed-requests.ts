// Requests a benchmark prepares before it measures: signed by the partner (so signing costs the
// measured server nothing), each with an Idempotency-Key of its own, sent by the load generator.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signRequest } from '../../signing/request-token.ts';
import { audience, type BenchPartner } from './alliance.ts';
import { runJson } from './processes.ts';
import type { LoadResult } from './stats.ts';

export interface Prepared {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

const workDir = mkdtempSync(path.join(tmpdir(), 'alliance-bench-'));

export async function signedPost(
  partner: BenchPartner,
  requestPath: string,
  body: unknown,
  signedPath = requestPath,
): Promise<Prepared> {
  const text = JSON.stringify(body);
  const token = await signRequest({
    privateJwk: partner.key.privateJwk,
    kid: partner.key.kid,
    alg: partner.key.alg,
    issuer: partner.id,
    audience,
    method: 'POST',
    path: signedPath,
    body: text,
    lifetimeSeconds: 300,
  });
  return {
    method: 'POST',
    path: requestPath,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: text,
  };
}

/**
 * Sends the requests from the load generator's own process: over `connections` connections in a
 * closed loop, or at `ratePerSecond` arrivals; spread round-robin over `baseUrls` when given.
 */
export async function httpLoad(
  baseUrl: string,
  requests: Prepared[],
  connections: number,
  okStatuses: number[],
  options: { baseUrls?: string[]; ratePerSecond?: number } = {},
): Promise<LoadResult> {
  const file = path.join(workDir, `load-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify({ baseUrl, connections, okStatuses, requests, ...options }));
  return runJson<LoadResult>('bench/http-load.ts', [file]);
}
