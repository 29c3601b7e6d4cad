// Traces when tracing is on: one transfer's spans, from the gateway's request through the workflow
// start, the workflow and its activities to the partner calls, share one trace and carry the
// request id and the transfer id. The spans are caught by the OTel SDK's own in-memory exporter,
// installed before the gateway and worker are made, as the OTEL_* settings would install OTLP.
import { tracing } from '@opentelemetry/sdk-node';
import { afterAll, describe, expect, it } from 'vitest';
import { requestIdAttribute, startTracing, transferIdAttribute } from '../../runtime/tracing.ts';
import { createAlliance } from '../support/alliance.ts';

const exporter = new tracing.InMemorySpanExporter();
const started = startTracing({
  serviceName: 'alliance-test',
  spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
});
afterAll(() => started?.shutdown());

const alliance = await createAlliance();
const { coffee, airline } = alliance;

describe('traces, when tracing is on', () => {
  it('follows one transfer from the request to the partner calls with its request and transfer ids', async () => {
    const member = await alliance.member({ coffee: 2_000n });
    const response = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(response.status).toBe(201);
    const requestId = response.headers.get('x-request-id');
    const transferId = ((await response.json()) as { id: string }).id;
    expect(requestId).toBeTruthy();

    const spansOf = () =>
      exporter.getFinishedSpans().filter((span) => span.attributes[transferIdAttribute] === transferId);
    // The workflow's own span ends (and is exported through its sink) a moment after the reply.
    await expect
      .poll(() => spansOf().some((span) => span.name === 'RunWorkflow:transferWorkflow'), { timeout: 10_000 })
      .toBe(true);
    const spans = spansOf();
    const named = (name: string) => spans.filter((span) => span.name === name);

    const requestSpan = spans.find((span) => span.attributes['http.route'] === '/v1/transfers');
    expect(requestSpan?.attributes[requestIdAttribute]).toBe(requestId);
    expect(named('UpdateWithStartWorkflow:awaitOutcome')).toHaveLength(1);
    for (const activity of ['reserveAtSource', 'creditAtTarget', 'postAtSource', 'completeTransfer']) {
      const [span] = named(`RunActivity:${activity}`);
      expect(span?.attributes[requestIdAttribute], activity).toBe(requestId);
    }
    // The partner calls, by undici's instrumentation, under the activities that made them.
    const partnerCalls = spans.filter(
      (span) => span.attributes['http.request.method'] === 'POST' && span.attributes['url.full'],
    );
    expect(partnerCalls.length).toBeGreaterThanOrEqual(3);
    for (const call of partnerCalls) expect(call.attributes[requestIdAttribute]).toBe(requestId);
    // One trace from the gateway's request to the last partner call.
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
  });
});
