// A partner's statement of a closed cycle. Goal: it verifies against the keys the gateway publishes,
// fails when one byte of it changes, and is the same signed document at every download; its lines
// are bound to it and add up to its figures, and its CSV parses back to the same lines and figures.
// Method: real transfers through the gateway, a close by finance, the statement downloaded as a
// partner, checked with the same code `npm run verify-statement` runs.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { JSONWebKeySet } from 'jose';
import { describe, expect, it } from 'vitest';
import { checkStatement } from '../../scripts/lib/statement-verification.ts';
import { createAlliance } from '../support/alliance.ts';
import { agreeRate } from '../support/exchange.ts';

const alliance = await createAlliance({ ownDatabase: 'statements' });
const { gateway, coffee, airline, bookstore } = alliance;

interface Downloaded {
  statement: {
    partnerId: string;
    lineCount: string;
    counterparties: {
      counterpartyId: string;
      payableMinor: string;
      payableCount: string;
      netMinor: string;
    }[];
    instructions: { direction: string; amountMinor: string }[];
  };
  jws: string;
}

interface DownloadedLines {
  statementLines: {
    statementSha256: string;
    lines: {
      obligationId: string;
      kind: string;
      direction: string;
      counterpartyId: string;
      amountMinor: string;
      currency: string;
    }[];
  };
  jws: string;
}

// Books settle at 1 minor unit per 1,000 miles: 100 books' settlement rounds to 0, a zero obligation
// beside the 1 of 1,000 books in bookstore's pair with airline.
await agreeRate(gateway, bookstore, airline, {
  fromPoints: '10',
  toPoints: '10',
  sourcePointsMin: '1',
  sourcePointsMax: '1000000',
  memberDailyCapSourcePoints: '10000000',
  settlement: { amountMinor: '1', perTargetPoints: '1000', currency: 'CNY' },
});
const member = await alliance.member({ coffee: 3_000n, airline: 1_000n, bookstore: 1_100n });
for (const [from, to, points] of [
  [coffee, airline, 1_000n],
  [coffee, airline, 1_000n],
  [airline, bookstore, 1_000n],
  [bookstore, airline, 1_000n],
  [bookstore, airline, 100n],
] as const) {
  const response = await alliance.transfer(from, to, member, points);
  expect(((await response.json()) as { status: string }).status).toBe('completed');
}
const closed = await gateway.call(gateway.finance, 'POST', '/v1/finance/settlement/cycles', { body: {} });
const cycleId = ((await closed.json()) as { cycle: { id: string } }).cycle.id;
const keys = (await (await gateway.call(null, 'GET', '/.well-known/jwks.json')).json()) as JSONWebKeySet;

async function download(path: string): Promise<Response> {
  const response = await gateway.call(coffee.signer, 'GET', `/v1/settlement/cycles/${cycleId}/${path}`);
  expect(response.status).toBe(200);
  return response;
}

describe('a settlement statement', () => {
  it('states what the partner owes each counterparty and verifies with the published keys', async () => {
    const text = await (await download('statement')).text();
    const { statement, jws } = JSON.parse(text) as Downloaded;
    expect(statement.partnerId).toBe(coffee.partner.id);
    expect(statement.lineCount).toBe('2');
    expect(statement.counterparties).toEqual([
      expect.objectContaining({
        counterpartyId: airline.partner.id,
        payableMinor: '1400',
        payableCount: '2',
        netMinor: '-1400',
      }),
    ]);
    expect(await checkStatement(text, keys)).toEqual({
      ok: true,
      partnerId: coffee.partner.id,
      cycleId,
      lines: 2,
      checked: ['statement'],
    });
    // Issued and signed at the close: every download states the same signed document.
    expect(((await (await download('statement')).json()) as Downloaded).jws).toBe(jws);
  });

  it('fails to verify when one byte of the statement or of its signature changes', async () => {
    const text = await (await download('statement')).text();
    const tampered = text.replace('"payableMinor":"1400"', '"payableMinor":"1401"');
    expect(tampered).not.toBe(text);
    expect(await checkStatement(tampered, keys)).toMatchObject({ ok: false });
    const { jws } = JSON.parse(text) as Downloaded;
    const signature = jws.slice(jws.lastIndexOf('.') + 1);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await checkStatement(text.replace(signature, flipped), keys)).toMatchObject({ ok: false });
    const otherKeys = {
      keys: [{ ...keys.keys[0], x: keys.keys[0]?.y, y: keys.keys[0]?.x }],
    } as JSONWebKeySet;
    expect(await checkStatement(text, otherKeys)).toMatchObject({ ok: false });
  });

  it('comes with its lines, signed and bound to it by its digest, adding up to its figures', async () => {
    const text = await (await download('statement')).text();
    const linesText = await (await download('statement/lines')).text();
    const { jws } = JSON.parse(text) as Downloaded;
    const { statementLines } = JSON.parse(linesText) as DownloadedLines;
    const payload = Buffer.from(jws.split('.')[1] ?? '', 'base64url');
    expect(statementLines.statementSha256).toBe(createHash('sha256').update(payload).digest('base64url'));
    expect(
      statementLines.lines.map((line) => [line.direction, line.counterpartyId, line.amountMinor]),
    ).toEqual([
      ['payable', airline.partner.id, '700'],
      ['payable', airline.partner.id, '700'],
    ]);
    expect(await checkStatement(text, keys, { linesText })).toMatchObject({
      ok: true,
      checked: ['statement', 'lines'],
    });
  });

  it("fails to verify when a line changes, or the lines are not the statement's", async () => {
    const text = await (await download('statement')).text();
    const linesText = await (await download('statement/lines')).text();
    const changed = linesText.replace('"amountMinor":"700"', '"amountMinor":"701"');
    expect(changed).not.toBe(linesText);
    expect(await checkStatement(text, keys, { linesText: changed })).toMatchObject({ ok: false });
    // Airline's lines, signed by the gateway too, are not coffee's statement's.
    const airlineLines = await (
      await gateway.call(airline.signer, 'GET', `/v1/settlement/cycles/${cycleId}/statement/lines`)
    ).text();
    expect(await checkStatement(text, keys, { linesText: airlineLines })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('digest'),
    });
  });

  it('comes as CSV that parses back to the same lines and figures', async () => {
    const csv = await (await download('statement.csv')).text();
    const text = await (await download('statement')).text();
    const linesText = await (await download('statement/lines')).text();
    const { statementLines } = JSON.parse(linesText) as DownloadedLines;
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(
      rows.map((row) => [row.obligationId, row.direction, row.counterpartyId, row.amountMinor, row.currency]),
    ).toEqual(
      statementLines.lines.map((line) => [
        line.obligationId,
        line.direction,
        line.counterpartyId,
        line.amountMinor,
        line.currency,
      ]),
    );
    expect(csv.split('\r\n')[0]).toBe(
      'obligationId,kind,sourceId,direction,counterpartyId,amountMinor,currency,at',
    );
    expect(await checkStatement(text, keys, { linesText, csvText: csv })).toMatchObject({
      ok: true,
      checked: ['statement', 'lines', 'csv'],
    });
    expect(await checkStatement(text, keys, { csvText: csv })).toMatchObject({ ok: true });
    // One changed byte: in a line's time, against the signed lines; in an amount, against the figures.
    const [, firstRow = ''] = csv.split('\r\n');
    const otherTime = csv.replace(
      firstRow,
      firstRow.replace(/.$/, (last) => (last === '0' ? '1' : '0')),
    );
    expect(otherTime).not.toBe(csv);
    expect(await checkStatement(text, keys, { linesText, csvText: otherTime })).toMatchObject({ ok: false });
    const otherAmount = csv.replace(',700,', ',701,');
    expect(await checkStatement(text, keys, { csvText: otherAmount })).toMatchObject({ ok: false });
  });

  it('lists a zero obligation beside others of its pair, as the statement counts it', async () => {
    const downloadAsBookstore = async (path: string) => {
      const response = await gateway.call(
        bookstore.signer,
        'GET',
        `/v1/settlement/cycles/${cycleId}/${path}`,
      );
      expect(response.status).toBe(200);
      return response.text();
    };
    const text = await downloadAsBookstore('statement');
    const linesText = await downloadAsBookstore('statement/lines');
    const csvText = await downloadAsBookstore('statement.csv');
    const { statement } = JSON.parse(text) as Downloaded;
    expect(statement.lineCount).toBe('3');
    expect(statement.counterparties).toEqual([
      expect.objectContaining({
        counterpartyId: airline.partner.id,
        payableMinor: '1',
        payableCount: '2',
        netMinor: '999',
      }),
    ]);
    const { statementLines } = JSON.parse(linesText) as DownloadedLines;
    expect(
      statementLines.lines.map((line) => [line.kind, line.direction, line.counterpartyId, line.amountMinor]),
    ).toEqual([
      ['transfer', 'receivable', airline.partner.id, '1000'],
      ['transfer', 'payable', airline.partner.id, '1'],
      ['transfer', 'payable', airline.partner.id, '0'],
    ]);
    expect(await checkStatement(text, keys, { linesText, csvText })).toEqual({
      ok: true,
      partnerId: bookstore.partner.id,
      cycleId,
      lines: 3,
      checked: ['statement', 'lines', 'csv'],
    });
  });

  it('is refused for the cycle still open', async () => {
    // Another test file may seal the open cycle meanwhile: then the next one is open; try again.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const open = await gateway.db
        .selectFrom('settlement_cycles')
        .select('id')
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow();
      const response = await gateway.call(coffee.signer, 'GET', `/v1/settlement/cycles/${open.id}/statement`);
      if (response.status === 200) continue;
      expect(response.status).toBe(409);
      expect(((await response.json()) as { code: string }).code).toBe('cycle_not_closed');
      return;
    }
    throw new Error('the open cycle was sealed under each attempt');
  });
});
