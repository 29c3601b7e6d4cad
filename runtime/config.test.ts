// Configuration is validated at start-up; each wrong value is named with what was given.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('gives defaults for a bare environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      TEMPORAL_NAMESPACE: 'default',
      SIGNED_REQUEST_LIFETIME_MAX_SECONDS: 300,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DATABASE_PREPARED_STATEMENTS).toBe(true);
  });

  it('keeps the sandbox apart from the live gateway: its own audience, namespace and port', () => {
    expect(loadConfig({})).toMatchObject({
      SANDBOX_ENABLED: true,
      SANDBOX_PORT: 3001,
      SANDBOX_AUDIENCE: 'points-alliance-sandbox',
      SANDBOX_TEMPORAL_NAMESPACE: 'sandbox',
    });
    const attempt = () =>
      loadConfig({
        SANDBOX_AUDIENCE: 'points-alliance-gateway',
        SANDBOX_TEMPORAL_NAMESPACE: 'default',
        SANDBOX_PORT: '3000',
      });
    expect(attempt).toThrow(/SANDBOX_AUDIENCE: must differ from GATEWAY_AUDIENCE/);
    expect(attempt).toThrow(/SANDBOX_TEMPORAL_NAMESPACE: must differ from TEMPORAL_NAMESPACE/);
    expect(attempt).toThrow(/SANDBOX_PORT: must differ from PORT/);
  });

  it('refuses a hold too short for a credit and a post', () => {
    expect(() => loadConfig({ RESERVATION_TTL_MINUTES: '4', TRANSFER_STEP_TOTAL_SECONDS: '120' })).toThrow(
      /RESERVATION_TTL_MINUTES: must be more than twice/,
    );
    expect(loadConfig({ RESERVATION_TTL_MINUTES: '5', TRANSFER_STEP_TOTAL_SECONDS: '120' })).toMatchObject({
      RESERVATION_TTL_MINUTES: 5,
    });
  });

  it('reads given values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/alliance',
      DATABASE_PREPARED_STATEMENTS: 'false',
    });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_PREPARED_STATEMENTS).toBe(false);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/alliance');
  });

  it('names every wrong variable and the value it got', () => {
    const attempt = () =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://localhost/db',
        DATABASE_PREPARED_STATEMENTS: 'maybe',
        TEMPORAL_ADDRESS: 'localhost',
        SIGNED_REQUEST_LIFETIME_MAX_SECONDS: '900',
        OPERATOR_PUBLIC_JWKS: '{not json',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const names = (error as ConfigError).problems.map((line) => line.split(':')[0]);
      expect(names.sort()).toEqual([
        'DATABASE_PREPARED_STATEMENTS',
        'DATABASE_URL',
        'OPERATOR_PUBLIC_JWKS',
        'PORT',
        'SIGNED_REQUEST_LIFETIME_MAX_SECONDS',
        'TEMPORAL_ADDRESS',
      ]);
      expect((error as ConfigError).message).toContain('PORT: ');
      expect((error as ConfigError).message).toContain('"eighty"');
    }
  });

  it('refuses a key set without kids', () => {
    expect(() => loadConfig({ OPERATOR_PUBLIC_JWKS: '{"keys":[{"kty":"OKP"}]}' })).toThrow(
      /OPERATOR_PUBLIC_JWKS/,
    );
  });
});
