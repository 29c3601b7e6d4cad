// The baselines for quotes: a bare Hono route returning the same JSON as a quote, the same route
// behind only the signature check (the gateway's verifier, keys and nonces in memory), and that
// route followed by the statements a quote cannot do without: two single-row writes (the jti with
// the Idempotency-Key claim; the quote with its stored reply) around one read, straight through pg.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { JWK } from 'jose';
import pg from 'pg';
import { createRequestVerifier } from '../signing/request-verifier.ts';

const quoteJson = JSON.parse(process.env.QUOTE_JSON ?? '{}') as unknown;
const keys = JSON.parse(process.env.PARTNER_PUBLIC_JWKS ?? '{"keys":[]}') as { keys: JWK[] };
const seen = new Set<string>();
const verify = createRequestVerifier({
  audience: process.env.GATEWAY_AUDIENCE ?? 'points-alliance-gateway',
  lifetimeMaxSeconds: 300,
  clockSkewSeconds: 5,
  resolveIssuer: async () => ({ status: 'active', keys: keys.keys }),
  recordNonce: async (issuer, jti) => {
    const key = `${issuer}:${jti}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  },
});

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 20 });
if (process.env.DATABASE_URL) {
  await pool.query('create table if not exists bench_statement_floor (id text primary key)');
}

const app = new Hono();
app.post('/bare/v1/quotes', (c) => c.json(quoteJson, 201));
app.post('/signed/v1/quotes', async (c) => {
  const url = new URL(c.req.url);
  await verify({
    authorization: c.req.header('authorization'),
    method: 'POST',
    path: url.pathname.replace('/signed', ''),
    body: new Uint8Array(await c.req.arrayBuffer()),
  });
  return c.json(quoteJson, 201);
});
app.post('/statements/v1/quotes', async (c) => {
  const url = new URL(c.req.url);
  const caller = await verify({
    authorization: c.req.header('authorization'),
    method: 'POST',
    path: url.pathname.replace('/statements', ''),
    body: new Uint8Array(await c.req.arrayBuffer()),
  });
  const write = 'insert into bench_statement_floor (id) values ($1)';
  await pool.query({ name: 'floor_write', text: write, values: [caller.jti] });
  await pool.query({ name: 'floor_read', text: 'select $1::text as id', values: [caller.jti] });
  await pool.query({ name: 'floor_write', text: write, values: [`${caller.jti}:quote`] });
  return c.json(quoteJson, 201);
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) }, (info) => {
  process.stdout.write(`bare hono listening on ${info.port}\n`);
});
