// The load generator: a separate process that sends a fixed list of prepared HTTP requests (already
// signed, so signing costs the measured server nothing and the generator little) over a fixed number
// of keep-alive connections, and prints throughput and latency percentiles as JSON.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { runLanes } from './lib/lanes.ts';

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
const result = await runLanes(
  spec.requests.length,
  spec.connections,
  spec.okStatuses.map(String),
  async (index) => {
    const prepared = spec.requests[index] as PreparedRequest;
    const response = await request(`${spec.baseUrl}${prepared.path}`, {
      method: prepared.method as 'POST',
      headers: prepared.headers,
      body: prepared.body,
      dispatcher,
    });
    await response.body.text();
    return String(response.statusCode);
  },
);
await dispatcher.close();
process.stdout.write(JSON.stringify(result));
