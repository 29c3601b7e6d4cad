// `npm run demo:transfer -- --from coffee --to airline --points 500`: the demo member moves points
// between two demo brands through the typed client (a quote, then the transfer), with the balances
// before and after. Needs `npm start` running.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { readDemoAlliance } from './lib/demo-alliance.ts';
import { demoBalances } from './lib/demo-balances.ts';
import { demoClient } from './lib/demo-client.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'coffee' },
    to: { type: 'string', default: 'airline' },
    points: { type: 'string', default: '500' },
  },
});
const config = loadConfig();
const gateway = {
  url: process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`,
  audience: config.GATEWAY_AUDIENCE,
};
const alliance = readDemoAlliance(path.resolve(config.DATA_DIR));
const from = alliance.partners.find((partner) => partner.slug === values.from);
const to = alliance.partners.find((partner) => partner.slug === values.to);
const member = alliance.member;
if (!from || !to || !member) {
  process.stderr.write(
    'usage: npm run demo:transfer -- --from coffee|airline|cinema --to coffee|airline|cinema --points N (after npm start)\n',
  );
  process.exit(2);
}
const caller = demoClient(from.partnerId, from.key, gateway);

async function showBalances(when: string): Promise<void> {
  process.stdout.write(`${when.padEnd(7)} ${await demoBalances(alliance, gateway)}\n`);
}

await showBalances('before');
const quote = await caller.POST('/v1/quotes', {
  body: {
    memberId: member.memberId,
    sourceProgramId: from.programId,
    targetProgramId: to.programId,
    sourcePoints: values.points,
  },
});
if (!quote.data) {
  process.stdout.write(
    `quote refused: HTTP ${quote.response.status}\n${JSON.stringify(quote.error, null, 2)}\n`,
  );
  process.exit(1);
}
const quoted = quote.data;
process.stdout.write(
  `quote   ${quoted.id}: ${quoted.debitPoints} ${from.unitName} → ${quoted.creditPoints} ${to.unitName}` +
    ` (${from.name} owes ${to.name} ${quoted.settlement.amountMinor} ${quoted.settlement.currency} minor units)` +
    `${quoted.modifiers.length > 0 ? `, modifiers ${JSON.stringify(quoted.modifiers)}` : ''}\n`,
);
// The quote names the operation, so the transfer's key does too: a retry of this script's call
// (by the client after a lost answer, or by hand) finds the same transfer instead of making another.
const transfer = await caller.POST('/v1/transfers', {
  params: { header: { 'idempotency-key': `transfer-${quoted.id}` } },
  body: { quoteId: quoted.id },
});
if (!transfer.data) {
  process.stdout.write(
    `transfer refused: HTTP ${transfer.response.status}\n${JSON.stringify(transfer.error, null, 2)}\n`,
  );
  process.exit(1);
}
const body = transfer.data;
process.stdout.write(
  `transfer ${body.id}: HTTP ${transfer.response.status}, ${body.status}${body.failure ? ` (${body.failure.code})` : ''}; steps ${body.steps.map((step) => `${step.step}:${step.outcome}`).join(' → ')}\n`,
);
await showBalances('after');
process.exit(body.status === 'completed' ? 0 : 1);
