// `npm run sign -- --as <coffee|airline|cinema|operator|finance> METHOD PATH [JSON]`: signs a request with a
// demo key the way a partner's integration would, sends it to the running gateway, prints the answer.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../runtime/config.ts';
import { readKeyPair } from '../runtime/signing-keys.ts';
import { createSignedClient } from '../signing/signed-client.ts';
import { readDemoAlliance } from './lib/demo-alliance.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    as: { type: 'string', default: 'coffee' },
    'idempotency-key': { type: 'string' },
    url: { type: 'string' },
    /** Writes the body, exactly as received, to this file (a statement to verify, a CSV). */
    out: { type: 'string' },
  },
});
const [method, requestPath, bodyText] = positionals;
if (!method || !requestPath) {
  process.stderr.write(
    'usage: npm run sign -- [--as coffee|airline|cinema|operator|finance] METHOD PATH [JSON body] [--out FILE]\n',
  );
  process.exit(2);
}

const config = loadConfig();
const dataDir = path.resolve(config.DATA_DIR);
// The operator and finance sign with the keys npm start made for them; partners with their demo keys.
const institution = values.as === 'finance' ? 'finance' : values.as === 'operator' ? 'operator' : null;
let issuer = institution ?? 'operator';
let key = readKeyPair(path.join(dataDir, 'keys', `${issuer}.json`));
if (!institution) {
  const partner = readDemoAlliance(dataDir).partners.find(
    (candidate) => candidate.slug === values.as || candidate.partnerId === values.as,
  );
  if (!partner) {
    process.stderr.write(
      `no demo partner ${values.as}; run npm start first (it creates coffee, airline and cinema)\n`,
    );
    process.exit(2);
  }
  issuer = partner.partnerId;
  key = partner.key;
}
if (!key) {
  process.stderr.write(`no ${issuer} key in .data/keys; run npm start first (it makes one)\n`);
  process.exit(2);
}

const client = createSignedClient({
  baseUrl: values.url ?? process.env.GATEWAY_URL ?? `http://127.0.0.1:${config.PORT}`,
  issuer,
  key,
  audience: config.GATEWAY_AUDIENCE,
  // A person's request, a statement's lines or a CSV among them: patient, and not capped like a partner's answer.
  callTimeoutMs: 10 * 60_000,
  maxResponseBytes: 1024 * 1024 * 1024,
});
const response = await client
  .call({
    method,
    path: requestPath,
    ...(bodyText === undefined ? {} : { body: JSON.parse(bodyText) as unknown }),
    ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}),
  })
  .catch((error: Error) => {
    process.stderr.write(`could not reach the gateway (${error.message}); is npm start running?\n`);
    process.exit(1);
  });
await client.close();
process.stdout.write(`HTTP ${response.status}  (x-request-id ${response.headers['x-request-id'] ?? '-'})\n`);
if (values.out) {
  writeFileSync(values.out, response.text);
  process.stdout.write(`body written to ${values.out}\n`);
  process.exit(response.status < 400 ? 0 : 1);
}
try {
  process.stdout.write(`${JSON.stringify(response.json(), null, 2)}\n`);
} catch {
  process.stdout.write(`${response.text}\n`);
}
process.exit(response.status < 400 ? 0 : 1);
