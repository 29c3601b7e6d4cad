// `npm run demo:points-life`: the demo member buys a 120 CNY cinema ticket and earns Skyway miles
// (the cinema reports the purchase), pays 10 CNY of a 38 CNY coffee order with miles (coffee
// authorizes, then captures), and the points.expiring reminder for their welcome beans is shown as
// coffee received it. Needs `npm start` running (which seeds the agreements and the expiry rule).
import path from 'node:path';
import { request } from 'undici';
import type { Schemas } from '../partner-kit/client/index.ts';
import { loadConfig } from '../runtime/config.ts';
import { readDemoAlliance } from './lib/demo-alliance.ts';
import { demoBalances } from './lib/demo-balances.ts';
import { demoClient } from './lib/demo-client.ts';
import { demoCoffeeInboxPort, readDemoPointsLife } from './lib/demo-points-life.ts';

const config = loadConfig();
const dataDir = path.resolve(config.DATA_DIR);
const gateway = {
  url: process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`,
  audience: config.GATEWAY_AUDIENCE,
};
const alliance = readDemoAlliance(dataDir);
const life = readDemoPointsLife(dataDir);
const bySlug = (slug: string) => alliance.partners.find((partner) => partner.slug === slug);
const [coffee, airline, cinema] = [bySlug('coffee'), bySlug('airline'), bySlug('cinema')];
const member = alliance.member;
if (!coffee || !airline || !cinema || !member || !life) {
  process.stderr.write('usage: npm run demo:points-life (after npm start has seeded the demo alliance)\n');
  process.exit(2);
}
const asCinema = demoClient(cinema.partnerId, cinema.key, gateway);
const asCoffee = demoClient(coffee.partnerId, coffee.key, gateway);
const write = (line: string) => process.stdout.write(`${line}\n`);
const balances = () => demoBalances(alliance, gateway);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const yuan = (minor: string) => `${(Number(minor) / 100).toFixed(2)}`;
const run = Date.now().toString(36);

write(`member  ${member.memberId}: ${await balances()}`);

// 1. A 120 CNY cinema ticket earns miles: the cinema reports the purchase.
const reported = await asCinema.POST('/v1/accruals', {
  params: { header: { 'idempotency-key': `cinema-ticket-${run}` } },
  body: {
    memberId: member.memberId,
    programId: airline.programId,
    purchase: { amountMinor: '12000', currency: 'CNY' },
    orderReference: `cinema-ticket-${run}`,
  },
});
if (!reported.data) {
  write(`accrual refused: HTTP ${reported.response.status} ${JSON.stringify(reported.error)}`);
  process.exit(1);
}
let accrual: Schemas['Accrual'] = reported.data;
for (let attempt = 0; attempt < 100 && accrual.status === 'pending'; attempt += 1) {
  await sleep(200);
  const polled = await asCinema.GET('/v1/accruals/{accrualId}', {
    params: { path: { accrualId: accrual.id } },
  });
  accrual = polled.data ?? accrual;
}
write(
  `earn    ${accrual.id}: ticket 120.00 CNY at ${cinema.name} → ${accrual.status}${accrual.failure ? ` (${accrual.failure.code})` : ''}, ${accrual.points} ${airline.unitName} (tier ${accrual.tier ?? 'none'}), ${cinema.name} owes ${airline.name} ${yuan(accrual.amountOwedMinor)} CNY`,
);
write(`member  ${await balances()}`);

// 2. 10 CNY of a 38 CNY coffee order paid with miles: coffee authorizes, then captures.
type Payment = Schemas['PointsPayment'];
const settle = async (payment: Payment, busy: string[]) => {
  let current = payment;
  for (let attempt = 0; attempt < 100 && busy.includes(current.status); attempt += 1) {
    await sleep(200);
    const polled = await asCoffee.GET('/v1/points-payments/{paymentId}', {
      params: { path: { paymentId: current.id } },
    });
    current = polled.data ?? current;
  }
  return current;
};
const authorizing = await asCoffee.POST('/v1/points-payments', {
  params: { header: { 'idempotency-key': `coffee-order-${run}:authorize` } },
  body: {
    memberId: member.memberId,
    programId: airline.programId,
    amountMinor: '1000',
    orderReference: `coffee-order-${run}`,
  },
});
if (!authorizing.data) {
  write(`authorization refused: HTTP ${authorizing.response.status} ${JSON.stringify(authorizing.error)}`);
  process.exit(1);
}
let payment = await settle(authorizing.data, ['authorizing']);
write(
  `pay     ${payment.id}: coffee order 38.00 CNY, 10.00 CNY in ${airline.unitName} at ${yuan(payment.price.amountMinor)} CNY a mile → ${payment.status}${payment.failure ? ` (${payment.failure.code})` : ''}, ${payment.authorized.points} ${airline.unitName} held for ${yuan(payment.authorized.amountMinor)} CNY`,
);
if (payment.status === 'authorized') {
  const capturing = await asCoffee.POST('/v1/points-payments/{paymentId}/captures', {
    params: {
      path: { paymentId: payment.id },
      header: { 'idempotency-key': `coffee-order-${run}:capture` },
    },
    body: {},
  });
  payment = await settle(capturing.data ?? payment, ['capturing']);
  write(
    `capture ${payment.id}: ${payment.status}, ${payment.captured.points} ${airline.unitName} taken, ${airline.name} owes ${coffee.name} ${yuan(payment.captured.amountMinor)} CNY; 28.00 CNY left to pay in cash`,
  );
}
write(`member  ${await balances()}`);

// 3. The reminder: the welcome beans expire a month after they were credited. What is left of them
// is the ledger's to say, not the seed's: transfers and orders spend the soonest-expiring first.
const account = await asCoffee.GET('/v1/programs/{programId}/accounts/{accountRef}', {
  params: { path: { programId: coffee.programId, accountRef: member.accounts.coffee } },
});
const expiring = (account.data?.expiryProfile ?? [])
  .filter((portion) => portion.expiresAt !== null)
  .map((portion) => `${portion.points} ${coffee.unitName} expire ${portion.expiresAt}`);
const left = account.data
  ? expiring.join(', ') || `none of the member's ${coffee.unitName} expire`
  : `balance refused: HTTP ${account.response.status}`;
write(
  `expiry  ${coffee.unitName}: ${life.expiry.rule.months} month(s) after earning, reminders ${life.expiry.reminderDaysAhead.join(' and ')} days ahead; ${left}`,
);
const deliveries = await asCoffee.GET('/v1/webhook-deliveries', { params: { query: { limit: '100' } } });
const reminders = (deliveries.data?.items ?? []).filter(
  (delivery) => delivery.eventType === 'points.expiring',
);
const inbox = await request(`http://127.0.0.1:${demoCoffeeInboxPort}/_control/webhooks`).catch(() => null);
const received = inbox?.statusCode === 200 ? ((await inbox.body.json()) as { items: unknown[] }).items : [];
for (const reminder of reminders) {
  write(`webhook ${reminder.eventId}: ${reminder.status} (attempts ${reminder.attempts})`);
}
const reminded = received.filter(
  (event): event is { id: string; data: { points: string; expiresOn: string; daysAhead: number } } =>
    (event as { type?: string }).type === 'points.expiring',
);
for (const event of reminded) {
  write(
    `inbox   ${coffee.name} got ${event.id}: ${event.data.points} ${coffee.unitName} expire on ${event.data.expiresOn}, ${event.data.daysAhead} days ahead`,
  );
}
if (reminders.length === 0) {
  write(
    `webhook no points.expiring yet: ${coffee.name} takes webhooks only if it has a webhook URL (a demo made before this one has none), and reminders are queued by the expiry run every POINTS_EXPIRY_EVERY_SECONDS (${config.POINTS_EXPIRY_EVERY_SECONDS} s); run this again after it`,
  );
}
process.exit(accrual.status === 'completed' && payment.status === 'captured' ? 0 : 1);
