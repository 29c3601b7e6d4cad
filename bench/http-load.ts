// The load generator: a separate process that sends a fixed list of prepared HTTP requests (already
// signed, so signing costs the measured server nothing and the generator little) and prints
// throughput and latency percentiles as JSON. Closed loop over a fixed number of keep-alive
// connections by default; at a fixed arrival rate when `ratePerSecond` is given. With several
// `baseUrls` (one gateway process each) request i goes to the i-th in turn: a round-robin balancer.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { runLanes } from './lib/lanes.ts';
import { runOpenLoop } from './lib/open-loop.ts';

interface PreparedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

const [specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile ?? '', 'utf8')) as {
  baseUrl: string;
  baseUrls?: string[];
  connections: number;
  ratePerSecond?: number;
  okStatuses: number[];
  requests: PreparedRequest[];
};
const baseUrls = spec.baseUrls && spec.baseUrls.length > 0 ? spec.baseUrls : [spec.baseUrl];
const dispatcher = new Agent({
  connections: spec.connections,
  pipelining: 1,
  headersTimeout: 60_000,
  bodyTimeout: 60_000,
  keepAliveTimeout: 30_000,
});
const send = async (index: number) => {
  const prepared = spec.requests[index] as PreparedRequest;
  const response = await request(`${baseUrls[index % baseUrls.length]}${prepared.path}`, {
    method: prepared.method as 'POST',
    headers: prepared.headers,
    body: prepared.body,
    dispatcher,
  });
  await response.body.text();
  return String(response.statusCode);
};
const okStatuses = spec.okStatuses.map(String);
const result = spec.ratePerSecond
  ? await runOpenLoop(spec.requests.length, spec.ratePerSecond, okStatuses, send)
  : await runLanes(spec.requests.length, spec.connections, okStatuses, send);
await dispatcher.close();
process.stdout.write(JSON.stringify(result));
