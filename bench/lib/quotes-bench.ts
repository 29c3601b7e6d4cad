// Signed quotes against the bare Hono routes of bench/bare-hono.ts, measured in the same run: the
// bare route, the route behind the signature check alone, behind the check and the two statements
// the gateway's quote makes, and behind the least any quote can do (the floor). The bare process's
// resident memory after those loads is the gateway's memory baseline; the same process with a
// Temporal client connected, as the gateway holds one, after the same loads, is the floor under it.
import { serviceNodeFlags } from '../../runtime/node-flags.ts';
import type { BenchAlliance } from './alliance.ts';
import { freePort, startService } from './processes.ts';
import { perSecond, progressOf } from './progress.ts';
import type { BenchResult } from './report.ts';
import { httpLoad, type Prepared, signedPost } from './signed-requests.ts';
import type { LoadResult } from './stats.ts';

export interface QuotesBench {
  results: BenchResult[];
  details: Record<string, unknown>;
  /** The bare Hono process after its loads, and the same with a Temporal client connected. */
  bareBytes: number;
  bareWithTemporalClientBytes: number;
}

interface BareLoads {
  bare: LoadResult;
  signatureOnly: LoadResult;
  signatureAndTwoStatements: LoadResult;
  signatureAndOneStatement: LoadResult;
}

const progress = progressOf('quotes');

export async function benchQuotes(alliance: BenchAlliance, audience: string): Promise<QuotesBench> {
  const { a, b } = alliance.partners;
  const count = 3_000;
  const warmUp = 500;
  const connections = 16;
  const body = (index: number) => ({
    memberId: alliance.memberIds[index % alliance.memberIds.length],
    sourceProgramId: a.programId,
    targetProgramId: b.programId,
    sourcePoints: '100',
  });
  const sample = await a.client.call({ method: 'POST', path: '/v1/quotes', body: body(0) });

  /**
   * A route's rate: a warm-up (unmeasured: the process compiles what it runs), then the median of
   * three rounds; one round moved by a third between runs on the same quiet machine.
   */
  async function measured(
    label: string,
    url: string,
    prepare: (n: number) => Promise<Prepared[]>,
  ): Promise<LoadResult & { rounds: LoadResult[] }> {
    await httpLoad(url, await prepare(warmUp), connections, [201]);
    const rounds: LoadResult[] = [];
    for (let round = 0; round < 3; round += 1) {
      rounds.push(await httpLoad(url, await prepare(count), connections, [201]));
      progress(`${label}, round ${round + 1} of 3: ${perSecond(rounds[round]?.perSecond ?? Number.NaN)}`);
    }
    const median = [...rounds].sort((x, y) => x.perSecond - y.perSecond)[1];
    if (!median) throw new Error('three rounds have a median');
    return { ...median, rounds };
  }

  async function bareRun(env: Record<string, string>): Promise<{ loads: BareLoads; bytes: number }> {
    const port = await freePort();
    const bare = await startService({
      name: 'bare-hono',
      // Compiled, as the gateway runs (bench/lib/alliance.ts built both).
      script: 'dist/bench/bare-hono.js',
      env: {
        QUOTE_JSON: sample.text,
        PARTNER_PUBLIC_JWKS: JSON.stringify({ keys: [a.key.publicJwk] }),
        GATEWAY_AUDIENCE: audience,
        DATABASE_URL: alliance.databaseUrl,
        PORT: String(port),
        ...env,
      },
      ready: 'bare hono listening',
      // The gateway's own V8 flags, so that the memory figures compare what each holds, not the flags.
      nodeFlags: serviceNodeFlags['dist/scripts/gateway.js'],
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      const plain = async (n: number) =>
        Array.from({ length: n }, (_, index) => ({
          method: 'POST',
          path: '/bare/v1/quotes',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(index)),
        }));
      const signed = (prefix: string) => (n: number) =>
        Promise.all(
          Array.from({ length: n }, (_, index) =>
            signedPost(a, `/${prefix}/v1/quotes`, body(index), '/v1/quotes'),
          ),
        );
      const loads: BareLoads = {
        bare: await measured('bare route', url, plain),
        signatureOnly: await measured('signature only', url, signed('signed')),
        signatureAndTwoStatements: await measured('two statements', url, signed('statements')),
        signatureAndOneStatement: await measured('the floor', url, signed('floor')),
      };
      return { loads, bytes: bare.residentBytes() };
    } finally {
      await bare.stop();
    }
  }

  const { loads, bytes } = await bareRun({});
  const withClient = await bareRun({ TEMPORAL_ADDRESS: alliance.temporalAddress });
  const quoteResult = await measured('the gateway', alliance.gatewayUrl, (n) =>
    Promise.all(Array.from({ length: n }, (_, index) => signedPost(a, '/v1/quotes', body(index)))),
  );
  const common = {
    unit: 'quotes/s',
    concurrency: connections,
    p50Ms: quoteResult.p50Ms,
    p99Ms: quoteResult.p99Ms,
  };
  const results: BenchResult[] = [
    {
      name: 'quotes_signed',
      value: quoteResult.perSecond,
      baseline: 'bare Hono route returning the same JSON',
      baselineValue: loads.bare.perSecond,
      ...common,
    },
    {
      name: 'quotes_signed_vs_signature_only',
      value: quoteResult.perSecond,
      baseline: 'the same bare route behind only the signature check',
      baselineValue: loads.signatureOnly.perSecond,
      ...common,
    },
    {
      name: 'quotes_signed_vs_statement_floor',
      value: quoteResult.perSecond,
      baseline:
        'the signed bare route plus the two statements a quote makes (the jti written and the links read; the quote written), raw pg',
      baselineValue: loads.signatureAndTwoStatements.perSecond,
      ...common,
    },
    // Not a row against the gateway: the least any design can do, against the bare route.
    {
      name: 'quotes_floor_vs_bare',
      value: loads.signatureAndOneStatement.perSecond,
      unit: 'quotes/s (the least any quote can do: the signature checked, one statement recording the jti without waiting for the disk and reading the two links; raw pg)',
      baseline: 'bare Hono route returning the same JSON',
      baselineValue: loads.bare.perSecond,
      concurrency: connections,
      p50Ms: loads.signatureAndOneStatement.p50Ms,
      p99Ms: loads.signatureAndOneStatement.p99Ms,
    },
  ];
  return {
    results,
    details: { ...loads, gateway: quoteResult, bareWithTemporalClient: withClient.loads },
    bareBytes: bytes,
    bareWithTemporalClientBytes: withClient.bytes,
  };
}
