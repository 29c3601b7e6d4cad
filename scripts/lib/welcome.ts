// What `npm start` prints once everything is up: where things are and what to try.
import path from 'node:path';
import type { DemoAlliance } from './demo-alliance.ts';
import type { DemoConsoleUser } from './demo-console.ts';

export function printWelcome(info: {
  gatewayUrl: string;
  temporalUiUrl: string | null;
  temporalAddress: string;
  databaseUrl: string;
  /** DATA_DIR as given, so that the paths printed are the ones the reader typed. */
  dataDir: string;
  alliance: DemoAlliance;
  /** The demo member's points now (not at the first start: a restart keeps what moved). */
  balances: string;
  /** The demo's console users and their passwords (none with operator keys of your own). */
  consoleUsers: DemoConsoleUser[];
  /** The partner sandbox, when it runs (SANDBOX_ENABLED). */
  sandbox: { url: string; audience: string } | null;
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
    `  Console        ${info.gatewayUrl}/console`,
    ...info.consoleUsers.map(
      (user) =>
        `                   ${user.username.padEnd(14)} ${user.password}   (${user.partnerSlug ? `${user.role} of ${user.partnerSlug}` : user.role})`,
    ),
    `  Temporal UI    ${info.temporalUiUrl ?? `(your server at ${info.temporalAddress})`}`,
    `  PostgreSQL     ${info.databaseUrl}`,
    ...(info.sandbox
      ? [`  Sandbox        ${info.sandbox.url}   (audience ${info.sandbox.audience}; docs/sandbox.md)`]
      : []),
    '',
    `  Demo partners (keys in ${path.join(info.dataDir, 'keys')}):`,
    ...partnerLines,
    `  Demo member    ${info.alliance.member?.memberId ?? '(none)'}  (${info.balances} now)`,
    '',
    'Try, in another terminal:',
    '    npm run demo:transfer -- --from coffee --to airline --points 500',
    '      (a new link caps transfers out at 1,000 points a day per programme for its first 24 hours)',
    '    npm run sign -- --as coffee GET /v1/transfers',
    '    npm run sign -- --as operator GET /v1/operator/ledger/check',
    ...(info.sandbox
      ? [
          `    npm run sign -- --as operator POST /v1/operator/partners/${info.alliance.partners.find((partner) => partner.slug === 'coffee')?.partnerId ?? '<partnerId>'}/sandbox-credentials`,
          "      (coffee's credentials for the sandbox: its twin, a key pair, stand-in brands with fault switches)",
        ]
      : []),
    '',
    `Ctrl-C stops everything; the next start reuses the data in ${path.join(info.dataDir, '/')}.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
