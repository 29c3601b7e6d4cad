// `npm run demo:reconcile -- --partner airline --break change_amount`: tells a demo partner's
// reference system to misreport the last operation the gateway made there, reconciles the partner's
// programme as finance would, and prints the run and its breaks. Needs `npm start` running and a
// transfer through that partner (`npm run demo:transfer -- --from airline --to cinema --points 100`).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { readKeyPair } from '../runtime/signing-keys.ts';
import { readDemoAlliance } from './lib/demo-alliance.ts';
import { demoClient } from './lib/demo-client.ts';

const quirks = ['drop', 'change_amount', 'change_status', 'duplicate'] as const;
const { values } = parseArgs({
  options: {
    partner: { type: 'string', default: 'airline' },
    break: { type: 'string', default: 'change_amount' },
  },
});
const config = loadConfig();
const dataDir = path.resolve(config.DATA_DIR);
const gateway = {
  url: process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`,
  audience: config.GATEWAY_AUDIENCE,
};
const partner = readDemoAlliance(dataDir).partners.find((candidate) => candidate.slug === values.partner);
const financeKey = readKeyPair(path.join(dataDir, 'keys', 'finance.json'));
const quirk = quirks.find((name) => name === values.break);
if (!partner?.systemUrl || !financeKey || !quirk) {
  process.stderr.write(
    `usage: npm run demo:reconcile -- --partner airline|cinema --break ${quirks.join('|')} (after npm start)\n`,
  );
  process.exit(2);
}
const asPartner = demoClient(partner.partnerId, partner.key, gateway);
const asFinance = demoClient('finance', financeKey, gateway);

const latest = await asPartner.GET('/v1/transfers', { params: { query: { limit: '1' } } });
const [transfer] = latest.data?.items ?? [];
if (!transfer) {
  process.stderr.write(`no transfer through ${partner.name} yet: run npm run demo:transfer first\n`);
  process.exit(1);
}
const key = `${transfer.id}:${transfer.sourceProgramId === partner.programId ? 'post' : 'credit'}`;
const control = `${partner.systemUrl}/_control/report-quirks`;
await fetch(control, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ key, quirk }),
});
process.stdout.write(`told ${partner.name}'s system to report ${key} with the quirk ${quirk}\n`);

const now = Date.now();
const response = await asFinance.POST('/v1/finance/reconciliation/runs', {
  body: {
    programId: partner.programId,
    from: new Date(now - 24 * 3_600_000).toISOString(),
    to: new Date(now + 60_000).toISOString(),
  },
});
if (!response.data) {
  process.stdout.write(`run refused: HTTP ${response.response.status} ${JSON.stringify(response.error)}\n`);
  process.exit(1);
}
const run = response.data;
process.stdout.write(
  `run     ${run.id}: HTTP ${response.response.status}, ${run.status}; ${run.matchedCount} matched, breaks ${JSON.stringify(run.breakCounts)}\n`,
);
const breaks = await asFinance.GET('/v1/finance/reconciliation/breaks', {
  params: { query: { partnerId: partner.partnerId } },
});
for (const found of breaks.data?.items ?? []) {
  process.stdout.write(
    `break   ${found.id} ${found.kind} ${found.itemKey}: gateway ${found.gateway.points ?? '-'} ${found.gateway.status ?? ''}, partner ${found.partner.points ?? '-'} ${found.partner.status ?? ''}\n`,
  );
}
await fetch(control, { method: 'DELETE' });
process.stdout.write(
  `${partner.name}'s system reports truthfully again: run this again with --break, or resolve a break with\n` +
    `npm run sign -- --as finance POST /v1/finance/reconciliation/breaks/BREAK_ID/resolution '{"resolution":"partner_fixed","reason":"…"}'\n`,
);
