// `npm run demo:catalog -- --item ticket --from coffee`: the demo member browses the alliance's
// catalog with their coffee beans, buys a cinema ticket coupon, and the cinema validates and redeems
// the code at its till (a second redeem is refused). Needs `npm start` running.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { createSignedClient } from '../signing/signed-client.ts';
import { type DemoPartner, readDemoAlliance } from './lib/demo-alliance.ts';
import { readDemoCatalog } from './lib/demo-catalog.ts';

const { values } = parseArgs({
  options: { item: { type: 'string', default: 'ticket' }, from: { type: 'string', default: 'coffee' } },
});
const config = loadConfig();
const dataDir = path.resolve(config.DATA_DIR);
const gatewayUrl = process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`;
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
const signed = (partner: DemoPartner) =>
  createSignedClient({
    baseUrl: gatewayUrl,
    issuer: partner.partnerId,
    key: partner.key,
    audience: config.GATEWAY_AUDIENCE,
  });
const asBuyer = signed(buyer);
const asPublisher = signed(publisher);
const write = (line: string) => process.stdout.write(`${line}\n`);

const page = await asBuyer.call({
  method: 'GET',
  path: `/v1/catalog?memberId=${member.memberId}&programId=${buyer.programId}`,
});
for (const offered of page.json<
  { title: string; pricePoints: string; price: { memberPoints: string } }[]
>()) {
  write(`catalog ${offered.title}: ${offered.price.memberPoints} ${buyer.unitName}`);
}
const quote = await asBuyer.call({
  method: 'POST',
  path: '/v1/catalog/quotes',
  body: { memberId: member.memberId, programId: buyer.programId, itemId: item.itemId },
});
if (quote.status !== 201) {
  write(`price quote refused: HTTP ${quote.status} ${quote.text}`);
  process.exit(1);
}
const quoted = quote.json<{ id: string; debitPoints: string; creditPoints: string }>();
write(
  `quote   ${quoted.id}: ${quoted.debitPoints} ${buyer.unitName} for an item priced ${quoted.creditPoints} ${publisher.unitName}`,
);
const placed = await asBuyer.call({
  method: 'POST',
  path: '/v1/catalog/orders',
  body: { quoteId: quoted.id },
});
let order = placed.json<{
  id: string;
  status: string;
  failure: { code: string } | null;
  coupon: { code: string } | null;
}>();
write(`order   ${order.id}: HTTP ${placed.status}, ${order.status}`);
for (let attempt = 0; attempt < 100 && order.status === 'reserved'; attempt += 1) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  order = (await asBuyer.call({ method: 'GET', path: `/v1/catalog/orders/${order.id}` })).json();
}
write(
  `order   ${order.id}: ${order.status}${order.failure ? ` (${order.failure.code})` : ''}${order.coupon ? `, coupon ${order.coupon.code}` : ''}`,
);
if (order.coupon) {
  const body = { code: order.coupon.code };
  const verdict = await asPublisher.call({ method: 'POST', path: '/v1/coupons/validations', body });
  const checked = verdict.json<{ valid: boolean; reason: string | null }>();
  write(
    `till    ${publisher.name} validates ${order.coupon.code}: ${checked.valid ? 'valid' : `not valid (${checked.reason})`}`,
  );
  const redeemed = await asPublisher.call({ method: 'POST', path: '/v1/coupons/redemptions', body });
  write(`till    redeem: HTTP ${redeemed.status}, ${redeemed.json<{ status: string }>().status}`);
  const again = await asPublisher.call({ method: 'POST', path: '/v1/coupons/redemptions', body });
  write(`till    redeem again: HTTP ${again.status}, ${again.json<{ code: string }>().code}`);
}
await asBuyer.close();
await asPublisher.close();
process.exit(order.status === 'completed' ? 0 : 1);
