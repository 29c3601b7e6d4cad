// The issuer of a signed request is looked up before its signature is checked, so anyone can make the
// cache look up any issuer: made-up issuers, however many, must not push a real partner's keys out.
import { describe, expect, it } from 'vitest';
import type { IssuerKeys } from '../../signing/request-verifier.ts';
import { createIssuerKeyCache } from './issuer-key-cache.ts';

const realKeys: IssuerKeys = { status: 'active', keys: [] };

function countingCache() {
  const loads = new Map<string, number>();
  const cache = createIssuerKeyCache(async (issuer) => {
    loads.set(issuer, (loads.get(issuer) ?? 0) + 1);
    return issuer === 'ptn_real' ? realKeys : undefined;
  }, 60_000);
  return { cache, loads };
}

describe('the issuer key cache', () => {
  it('keeps a real issuer through a flood of 10,000 unknown ones', async () => {
    const { cache, loads } = countingCache();
    expect(await cache.get('ptn_real')).toBe(realKeys);
    for (let index = 0; index < 10_000; index += 1) {
      expect(await cache.get(`ptn_made_up_${index}`)).toBeUndefined();
    }
    expect(await cache.get('ptn_real')).toBe(realKeys);
    expect(loads.get('ptn_real')).toBe(1);
  });

  it('loads again after an invalidation, and after a failed load', async () => {
    let fail = true;
    let loads = 0;
    const cache = createIssuerKeyCache(async () => {
      loads += 1;
      if (fail) throw new Error('database away');
      return realKeys;
    }, 60_000);
    await expect(cache.get('ptn_real')).rejects.toThrow('database away');
    fail = false;
    expect(await cache.get('ptn_real')).toBe(realKeys);
    expect(await cache.get('ptn_real')).toBe(realKeys);
    cache.invalidate('ptn_real');
    expect(await cache.get('ptn_real')).toBe(realKeys);
    expect(loads).toBe(3);
  });
});
