// The baselines for quotes: a bare Hono route returning the same JSON as a quote, the same route
// behind only the signature check (the gateway's verifier, keys and nonces in memory), and that
// route followed by the two statements the gateway's quote makes, straight through pg and committed
// without waiting for the disk as the quote's are: a single-row write (the jti with the Idempotency-Key
// claim) with the read of the member's two links, then a single-row write (the quote with its reply).
// The fourth is the least any design of a quote can do, stored or not (a quote as a token the gateway
// signs would add its signature): the request's signature checked, and one statement that records the
// jti without waiting for the disk and reads the member's two links (consent, tier). And a fifth, for
// bench:scale: the least a transfer does through a gateway and a worker.
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
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

// A lost jti or quote only matters after a crash of PostgreSQL itself: the gateway's quote statements
// commit without waiting for the disk too.
const asyncPool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  options: '-c synchronous_commit=off',
});
if (process.env.DATABASE_URL) {
  await asyncPool.query('create table if not exists bench_statement_floor (id text primary key)');
}

// The gateway's memory floor: the same process holding what the gateway holds beside Hono, a
// connected Temporal client (bench/lib/quotes-bench.ts).
const temporal = process.env.TEMPORAL_ADDRESS
  ? await import('../workflows/client.ts').then(async ({ connectTemporalClient, pingTemporal }) => {
      const client = await connectTemporalClient(process.env.TEMPORAL_ADDRESS ?? '', 'default');
      await pingTemporal(client);
      return client;
    })
  : null;

/** The request's signature checked as the gateway checks it, on the path without the route's prefix. */
function verified(c: Context, prefix: string, body: Uint8Array) {
  return verify({
    authorization: c.req.header('authorization'),
    method: 'POST',
    path: new URL(c.req.url).pathname.replace(prefix, ''),
    body,
  });
}
const bodyOf = async (c: Context) => new Uint8Array(await c.req.arrayBuffer());

const app = new Hono();
app.post('/bare/v1/quotes', (c) => c.json(quoteJson, 201));
app.post('/signed/v1/quotes', async (c) => {
  await verified(c, '/signed', await bodyOf(c));
  return c.json(quoteJson, 201);
});
/** The jti recorded and the member's two links read, in one statement. */
function claimWithLinks(jti: string, body: Uint8Array) {
  const request = JSON.parse(new TextDecoder().decode(body)) as Record<string, string>;
  return {
    name: 'floor_one_statement',
    text: `with jti as (insert into bench_statement_floor (id) values ($1))
      select program_id, tier, consent_scopes from member_links
      where member_id = $2 and program_id in ($3, $4) and revoked_at is null`,
    values: [jti, request.memberId, request.sourceProgramId, request.targetProgramId],
  };
}
app.post('/statements/v1/quotes', async (c) => {
  const body = await bodyOf(c);
  const caller = await verified(c, '/statements', body);
  await asyncPool.query(claimWithLinks(caller.jti, body));
  const write = 'insert into bench_statement_floor (id) values ($1)';
  await asyncPool.query({ name: 'floor_write', text: write, values: [`${caller.jti}:quote`] });
  return c.json(quoteJson, 201);
});
app.post('/floor/v1/quotes', async (c) => {
  const body = await bodyOf(c);
  const caller = await verified(c, '/floor', body);
  const { rows } = await asyncPool.query(claimWithLinks(caller.jti, body));
  return c.json({ ...(quoteJson as object), links: rows.length }, 201);
});
// The least a transfer through a gateway and a worker can do (bench:scale's pair floor): the
// signature checked, then a workflow of four no-op activities (bench/bare.workflow.ts) started on the
// bare worker's task queue and awaited, as the gateway waits for a transfer's reply.
app.post('/floor/v1/transfers', async (c) => {
  const caller = await verified(c, '/floor', await bodyOf(c));
  if (!temporal) return c.json({ error: 'started without TEMPORAL_ADDRESS' }, 503);
  await temporal.workflow.execute('bareTransferWorkflow', {
    taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-bare',
    workflowId: `bare-${caller.jti}`,
  });
  return c.json({ status: 'completed' }, 201);
});

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 0) }, (info) => {
  process.stdout.write(`bare hono listening on ${info.port}\n`);
});

// The bench stops its processes with SIGTERM; exiting from it (not dying of it) lets
// BENCH_CPU_PROFILE_DIR's profile be written, as the gateway's is.
process.once('SIGTERM', () => process.exit(0));
