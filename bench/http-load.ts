// The load generator: a separate process that sends a fixed list of prepared HTTP requests (already
// signed, so signing costs the measured server nothing and the generator little) over a fixed number
// of keep-alive connections, and prints throughput and latency percentiles as JSON.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { summarise } from './lib/stats.ts';

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

const [specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile ?? '', 'utf8')) as {
  baseUrl: string;
  connections: number;
  okStatuses: number[];
  requests: PreparedRequest[];
};
const dispatcher = new Agent({
  connections: spec.connections,
  pipelining: 1,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
  keepAliveTimeout: 30_000,
});
const latencies: number[] = [];
const statuses: Record<string, number> = {};
let ok = 0;
let next = 0;

async function lane(): Promise<void> {
  while (next < spec.requests.length) {
    const prepared = spec.requests[next++] as PreparedRequest;
    const started = performance.now();
    try {
      const response = await request(`${spec.baseUrl}${prepared.path}`, {
        method: prepared.method as 'POST',
        headers: prepared.headers,
        body: prepared.body,
        dispatcher,
      });
      await response.body.text();
      statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
      if (spec.okStatuses.includes(response.statusCode)) ok += 1;
    } catch (error) {
      const name = (error as Error).name;
      statuses[name] = (statuses[name] ?? 0) + 1;
    }
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: spec.connections }, lane));
const durationMs = performance.now() - started;
await dispatcher.close();
process.stdout.write(JSON.stringify(summarise(latencies, ok, durationMs, statuses)));
