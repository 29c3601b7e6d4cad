// The worker's metrics port: its registry in Prometheus's format, behind the scrape's bearer token.
import { afterAll, describe, expect, it } from 'vitest';
import { httpRequests } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

const server = await startMetricsServer({
  host: '127.0.0.1',
  port: 0,
  bearerToken: 'a-scrape-token-of-length',
});
afterAll(() => server.close());

describe('the metrics server', () => {
  it('answers a scrape that sends the token with the registry', async () => {
    httpRequests.inc({ route: '/probe', method: 'GET', status_class: '2xx' });
    const response = await fetch(server.url, {
      headers: { authorization: 'Bearer a-scrape-token-of-length' },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(
      'alliance_http_requests_total{route="/probe",method="GET",status_class="2xx"} 1',
    );
  });

  it('refuses a scrape without the token, or with another', async () => {
    expect((await fetch(server.url)).status).toBe(401);
    const wrong = await fetch(server.url, { headers: { authorization: 'Bearer a-scrape-token-of-lengtH' } });
    expect(wrong.status).toBe(401);
  });

  it('serves nothing but /metrics', async () => {
    const response = await fetch(server.url.replace('/metrics', '/'));
    expect(response.status).toBe(404);
  });
});
