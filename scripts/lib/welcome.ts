// What `npm start` prints once everything is up: where things are and one request to try.
import type { DemoPartner } from './demo-partners.ts';

export function printWelcome(info: {
  gatewayUrl: string;
  temporalUiUrl: string | null;
  temporalAddress: string;
  databaseUrl: string;
  partners: readonly DemoPartner[];
}): void {
  const partnerLines = info.partners.map(
    (partner) =>
      `    ${partner.slug.padEnd(8)} ${partner.name.padEnd(18)} ${partner.partnerId}  programme ${partner.programId} (${partner.unitName})`,
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
    '',
    'Try a signed request, in another terminal:',
    '    npm run sign -- --as coffee GET /v1/partner',
    '    npm run sign -- --as operator GET /v1/operator/partners/' +
      (info.partners[0]?.partnerId ?? '<partnerId>'),
    '',
    'Ctrl-C stops everything; the next start reuses the data in .data/.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
