// /metrics shows a transfer move the counters: a real transfer through the test gateway and its
// worker (two reference partner systems over HTTP), with the scrape read before and after.
import { describe, expect, it } from 'vitest';
import { createAlliance } from '../support/alliance.ts';
import { sampleValue } from './prometheus-text.ts';

const alliance = await createAlliance();
const { gateway, coffee, airline } = alliance;

async function scrape(): Promise<string> {
  const response = await gateway.app.request('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

describe('GET /metrics', () => {
  it("counts a completed transfer, its points per programme pair, its steps and the partners' calls", async () => {
    const member = await alliance.member({ coffee: 5_000n });
    const before = await scrape();
    const pair = { source_program: coffee.programId, target_program: airline.programId };

    const response = await alliance.transfer(coffee, airline, member, 1_000n);
    expect(response.status).toBe(201);
    expect(((await response.json()) as { status: string }).status).toBe('completed');
    // The workflow's own end is reported a moment after the outcome the API answered with.
    await expect
      .poll(async () =>
        sampleValue(await scrape(), 'alliance_workflow_duration_seconds_count', {
          workflow_type: 'transferWorkflow',
          outcome: 'completed',
        }),
      )
      .toBe(
        sampleValue(before, 'alliance_workflow_duration_seconds_count', {
          workflow_type: 'transferWorkflow',
          outcome: 'completed',
        }) + 1,
      );
    const after = await scrape();

    const delta = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('alliance_transfers_total', { outcome: 'completed' })).toBe(1);
    expect(delta('alliance_transfers_total', { outcome: 'failed' })).toBe(0);
    expect(delta('alliance_points_moved_total', { ...pair, side: 'debit' })).toBe(1_000);
    expect(delta('alliance_points_moved_total', { ...pair, side: 'credit' })).toBe(700);
    expect(
      delta('alliance_http_requests_total', { route: '/v1/transfers', method: 'POST', status_class: '2xx' }),
    ).toBe(1);
    expect(
      delta('alliance_http_request_duration_seconds_count', { route: '/v1/transfers', method: 'POST' }),
    ).toBe(1);
    for (const activity of ['reserveAtSource', 'creditAtTarget', 'postAtSource', 'completeTransfer']) {
      expect(
        delta('alliance_activity_duration_seconds_count', { activity_type: activity, outcome: 'ok' }),
      ).toBe(1);
    }
    expect(
      delta('alliance_partner_call_duration_seconds_count', {
        partner: coffee.partner.id,
        operation: 'reserve',
      }),
    ).toBe(1);
    expect(
      delta('alliance_partner_call_duration_seconds_count', {
        partner: airline.partner.id,
        operation: 'credit',
      }),
    ).toBe(1);
    expect(delta('alliance_partner_call_errors_total', { partner: airline.partner.id })).toBe(0);
    // Coffee now owes airline the transfer's settlement amount, in the cycle still open.
    expect(delta('alliance_open_exposure_minor', { partner: coffee.partner.id })).toBe(700);
    expect(delta('alliance_open_exposure_minor', { partner: airline.partner.id })).toBe(-700);
    // Labels never carry a member's, a transfer's or a request's id.
    expect(after).not.toContain(member.memberId);
    expect(after).not.toMatch(/route="\/v1\/transfers\/[0-9a-f-]{36}"/);
  });

  it("counts a partner's faults as errors against that partner", async () => {
    const member = await alliance.member({ coffee: 1_000n });
    const before = await scrape();
    alliance.fault(airline, { operation: 'credit', mode: 'fail_before', count: 1 });
    const response = await alliance.transfer(coffee, airline, member, 100n);
    expect(response.status).toBe(201);
    const after = await scrape();
    expect(
      sampleValue(after, 'alliance_partner_call_errors_total', {
        partner: airline.partner.id,
        operation: 'credit',
      }) -
        sampleValue(before, 'alliance_partner_call_errors_total', {
          partner: airline.partner.id,
          operation: 'credit',
        }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("shows each partner's open exposure, read from the database on scrape", async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE alliance_open_exposure_minor gauge');
    expect(sampleValue(text, 'alliance_metrics_figure_failures_total')).toBe(0);
  });

  it('asks for the bearer token when one is configured', async () => {
    const { createTestGateway } = await import('../support/gateway.ts');
    const guarded = await createTestGateway({ metrics: { bearerToken: 'scrape-secret' } });
    expect((await guarded.app.request('/metrics')).status).toBe(401);
    expect(
      (await guarded.app.request('/metrics', { headers: { authorization: 'Bearer wrong-secret!' } })).status,
    ).toBe(401);
    const allowed = await guarded.app.request('/metrics', {
      headers: { authorization: 'Bearer scrape-secret' },
    });
    expect(allowed.status).toBe(200);
  });
});
