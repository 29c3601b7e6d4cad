// `npm run demo:catalog -- --item ticket --from coffee`: the demo member browses the alliance's
// catalog with their coffee beans, buys a cinema ticket coupon, and the cinema validates and redeems
// the code at its till (a second redeem is refused). Needs `npm start` running.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { readDemoAlliance } from './lib/demo-alliance.ts';
import { readDemoCatalog } from './lib/demo-catalog.ts';
import { demoClient } from './lib/demo-client.ts';

const { values } = parseArgs({
  options: { item: { type: 'string', default: 'ticket' }, from: { type: 'string', default: 'coffee' } },
});
const config = loadConfig();
const dataDir = path.resolve(config.DATA_DIR);
const gateway = {
  url: process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`,
  audience: config.GATEWAY_AUDIENCE,
};
const alliance = readDemoAlliance(dataDir);
const item = readDemoCatalog(dataDir).items.find((candidate) => candidate.slug === values.item);
const buyer = alliance.partners.find((partner) => partner.slug === values.from);
const publisher = alliance.partners.find((partner) => partner.slug === item?.publisher);
const member = alliance.member;
if (!item || !buyer || !publisher || !member) {
  process.stderr.write(
    'usage: npm run demo:catalog -- --item ticket|popcorn|kit|flat-white|coffee-draw --from coffee|airline|cinema (after npm start)\n',
  );
  process.exit(2);
}
const asBuyer = demoClient(buyer.partnerId, buyer.key, gateway);
const asPublisher = demoClient(publisher.partnerId, publisher.key, gateway);
const write = (line: string) => process.stdout.write(`${line}\n`);

const page = await asBuyer.GET('/v1/catalog', {
  params: { query: { memberId: member.memberId, programId: buyer.programId } },
});
for (const offered of page.data ?? []) {
  write(`catalog ${offered.title}: ${offered.price?.memberPoints ?? '-'} ${buyer.unitName}`);
}
const quote = await asBuyer.POST('/v1/catalog/quotes', {
  body: { memberId: member.memberId, programId: buyer.programId, itemId: item.itemId },
});
if (!quote.data) {
  write(`price quote refused: HTTP ${quote.response.status} ${JSON.stringify(quote.error)}`);
  process.exit(1);
}
const quoted = quote.data;
write(
  `quote   ${quoted.id}: ${quoted.debitPoints} ${buyer.unitName} for an item priced ${quoted.creditPoints} ${publisher.unitName}`,
);
const placed = await asBuyer.POST('/v1/catalog/orders', { body: { quoteId: quoted.id } });
if (!placed.data) {
  write(`order refused: HTTP ${placed.response.status} ${JSON.stringify(placed.error)}`);
  process.exit(1);
}
let order = placed.data;
write(`order   ${order.id}: HTTP ${placed.response.status}, ${order.status}`);
for (let attempt = 0; attempt < 100 && order.status === 'reserved'; attempt += 1) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  const polled = await asBuyer.GET('/v1/catalog/orders/{orderId}', {
    params: { path: { orderId: order.id } },
  });
  order = polled.data ?? order;
}
write(
  `order   ${order.id}: ${order.status}${order.failure ? ` (${order.failure.code})` : ''}${order.coupon ? `, coupon ${order.coupon.code}` : ''}`,
);
if (order.coupon) {
  const body = { code: order.coupon.code };
  const verdict = await asPublisher.POST('/v1/coupons/validations', { body });
  const checked = verdict.data;
  write(
    `till    ${publisher.name} validates ${order.coupon.code}: ${checked?.valid ? 'valid' : `not valid (${checked?.reason ?? verdict.error?.code})`}`,
  );
  // Each POST without a key of its own gets a fresh one: the second redemption is a new request.
  const redeemed = await asPublisher.POST('/v1/coupons/redemptions', { body });
  write(`till    redeem: HTTP ${redeemed.response.status}, ${redeemed.data?.status ?? redeemed.error?.code}`);
  const again = await asPublisher.POST('/v1/coupons/redemptions', { body });
  write(`till    redeem again: HTTP ${again.response.status}, ${again.error?.code ?? again.data?.status}`);
}
process.exit(order.status === 'completed' ? 0 : 1);
