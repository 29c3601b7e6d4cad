// `npm run demo:transfer -- --from coffee --to airline --points 500`: the demo member moves points
// between two demo brands through the signed API (a quote, then the transfer), with the balances
// before and after. Needs `npm start` running.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { createSignedClient } from '../signing/signed-client.ts';
import { type DemoPartner, readDemoAlliance } from './lib/demo-alliance.ts';
import { demoBalances } from './lib/demo-balances.ts';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'coffee' },
    to: { type: 'string', default: 'airline' },
    points: { type: 'string', default: '500' },
  },
});
const config = loadConfig();
const gatewayUrl = process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`;
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
const client = (partner: DemoPartner) =>
  createSignedClient({
    baseUrl: gatewayUrl,
    issuer: partner.partnerId,
    key: partner.key,
    audience: config.GATEWAY_AUDIENCE,
  });
const caller = client(from);

async function showBalances(when: string): Promise<void> {
  const balances = await demoBalances(alliance, { url: gatewayUrl, audience: config.GATEWAY_AUDIENCE });
  process.stdout.write(`${when.padEnd(7)} ${balances}\n`);
}

await showBalances('before');
const quote = await caller.call({
  method: 'POST',
  path: '/v1/quotes',
  body: {
    memberId: member.memberId,
    sourceProgramId: from.programId,
    targetProgramId: to.programId,
    sourcePoints: values.points,
  },
});
if (quote.status !== 201) {
  process.stdout.write(`quote refused: HTTP ${quote.status}\n${JSON.stringify(quote.json(), null, 2)}\n`);
  process.exit(1);
}
const quoted = quote.json<{
  id: string;
  debitPoints: string;
  creditPoints: string;
  modifiers: unknown[];
  settlement: { amountMinor: string; currency: string };
}>();
process.stdout.write(
  `quote   ${quoted.id}: ${quoted.debitPoints} ${from.unitName} → ${quoted.creditPoints} ${to.unitName}` +
    ` (${from.name} owes ${to.name} ${quoted.settlement.amountMinor} ${quoted.settlement.currency} minor units)` +
    `${quoted.modifiers.length > 0 ? `, modifiers ${JSON.stringify(quoted.modifiers)}` : ''}\n`,
);
const transfer = await caller.call({ method: 'POST', path: '/v1/transfers', body: { quoteId: quoted.id } });
const body = transfer.json<{
  id: string;
  status: string;
  failure: { code: string } | null;
  steps: { step: string; outcome: string }[];
}>();
process.stdout.write(
  `transfer ${body.id}: HTTP ${transfer.status}, ${body.status}${body.failure ? ` (${body.failure.code})` : ''}; steps ${body.steps.map((step) => `${step.step}:${step.outcome}`).join(' → ')}\n`,
);
await showBalances('after');
await caller.close();
process.exit(body.status === 'completed' ? 0 : 1);
