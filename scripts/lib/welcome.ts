// What `npm start` prints once everything is up: where things are and what to try.
import type { DemoAlliance } from './demo-alliance.ts';

export function printWelcome(info: {
  gatewayUrl: string;
  temporalUiUrl: string | null;
  temporalAddress: string;
  databaseUrl: string;
  alliance: DemoAlliance;
}): void {
  const partnerLines = info.alliance.partners.map(
    (partner) =>
      `    ${partner.slug.padEnd(8)} ${partner.name.padEnd(17)} ${partner.partnerId}  ${partner.unitName.padEnd(6)} ${partner.systemUrl ? `own system ${partner.systemUrl}` : 'hosted ledger'}`,
  );
  const lines = [
    '',
    'Points alliance gateway is up.',
    '',
    `  API            ${info.gatewayUrl}`,
    `  API reference  ${info.gatewayUrl}/reference   (OpenAPI: ${info.gatewayUrl}/openapi.json)`,
    `  Temporal UI    ${info.temporalUiUrl ?? `(your server at ${info.temporalAddress})`}`,
    `  PostgreSQL     ${info.databaseUrl}`,
    '',
    '  Demo partners (keys in .data/keys):',
    ...partnerLines,
    `  Demo member    ${info.alliance.member?.memberId ?? '(none)'}  (5,000 beans, 2,000 miles, 0 stars to start with)`,
    '',
    'Try, in another terminal:',
    '    npm run demo:transfer -- --from coffee --to airline --points 500',
    '    npm run sign -- --as coffee GET /v1/transfers',
    '    npm run sign -- --as operator GET /v1/operator/ledger/check',
    '',
    'Ctrl-C stops everything; the next start reuses the data in .data/.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
