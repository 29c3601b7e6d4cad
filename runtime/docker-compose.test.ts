// docker-compose.yml cannot run here (no Docker engine), so this reads it: the services of the
// production-like topology are there, wired in the right order, and the environment it gives the
// gateway and the worker passes the same configuration check they run at start.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { generateSigningKeyPair } from '../signing/keys.ts';
import { loadConfig } from './config.ts';
import { projectDir } from './project-dir.ts';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

const compose = parse(readFileSync(path.join(projectDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

async function substitute(environment: Record<string, string>): Promise<Record<string, string>> {
  const gateway = await generateSigningKeyPair('ES256');
  const operator = await generateSigningKeyPair('EdDSA');
  const secrets: Record<string, string> = {
    GATEWAY_PRIVATE_JWKS: JSON.stringify({ keys: [gateway.privateJwk] }),
    OPERATOR_PUBLIC_JWKS: JSON.stringify({ keys: [operator.publicJwk] }),
    METRICS_TOKEN: 'a-scrape-token-of-length',
  };
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      String(value).replace(/\$\{(\w+):\?[^}]*\}/g, (_, secret: string) => secrets[secret] ?? ''),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('has the production-like topology', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'gateway',
        'migrate',
        'postgres',
        'temporal',
        'temporal-postgresql',
        'temporal-ui',
        'worker',
        'prometheus',
        'grafana',
        'jaeger',
      ].sort(),
    );
    expect(compose.services.temporal?.environment).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'temporal-postgresql',
    });
    expect(compose.services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('starts the gateway and the worker only after migrations and a healthy Temporal', () => {
    for (const name of ['gateway', 'worker']) {
      expect(compose.services[name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        temporal: { condition: 'service_healthy' },
      });
    }
    expect(compose.services.migrate?.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it.each(['gateway', 'worker', 'migrate'])(
    'gives %s an environment its configuration check accepts',
    async (name) => {
      const service = compose.services[name];
      // node, its flags (runtime/node-flags.ts), then the script (the gateway's compiled, dist/).
      expect(service?.command?.at(-1)).toMatch(/^(scripts\/\w+\.ts|dist\/scripts\/\w+\.js)$/);
      const environment = await substitute(service?.environment ?? {});
      const config = loadConfig(environment);
      expect(config.DATABASE_URL).toBe('postgres://alliance:alliance@postgres:5432/alliance');
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
      if (name === 'gateway') {
        expect(config.GATEWAY_PRIVATE_JWKS?.keys).toHaveLength(1);
        expect(config.OPERATOR_PUBLIC_JWKS?.keys).toHaveLength(1);
        expect(config.HOST).toBe('0.0.0.0');
      }
      if (name !== 'migrate') {
        // Prometheus sends this token; the processes trace to Jaeger.
        expect(config.METRICS_TOKEN).toBe('a-scrape-token-of-length');
        expect(environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
      }
    },
  );
});
