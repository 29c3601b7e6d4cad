// Reference partner systems for benchmarks, in a process of their own (as real partners would be).
import type { JWK } from 'jose';
import { startReferencePartner } from '../reference-partner/server.ts';
import { createDatabase } from '../store/connection.ts';

const partners = JSON.parse(process.env.PARTNERS ?? '[]') as {
  schema: string;
  port: number;
  partnerId: string;
}[];
const gatewayKeys = JSON.parse(process.env.GATEWAY_PUBLIC_JWKS ?? '{"keys":[]}') as { keys: JWK[] };
const db = createDatabase({ url: process.env.DATABASE_URL ?? '', poolSizeMax: 20 });
for (const partner of partners) {
  await startReferencePartner({
    db,
    schema: partner.schema,
    partnerId: partner.partnerId,
    gatewayIssuer: process.env.GATEWAY_AUDIENCE ?? 'points-alliance-gateway',
    gatewayPublicKeys: () => gatewayKeys.keys,
    port: partner.port,
  });
}
process.stdout.write('partners running\n');
