// Partners' verification keys and status, cached for a few seconds: every signed request needs
// them, and they change rarely. A change made through this gateway drops the entry at once; one made
// through another instance of the gateway is seen within the TTL.
import type { IssuerKeys } from '../../signing/request-verifier.ts';

export interface IssuerKeyCache {
  get(issuer: string): Promise<IssuerKeys | undefined>;
  invalidate(issuer: string): void;
}

export function createIssuerKeyCache(
  load: (issuer: string) => Promise<IssuerKeys | undefined>,
  ttlMs: number,
): IssuerKeyCache {
  const entries = new Map<string, { value: Promise<IssuerKeys | undefined>; expiresAt: number }>();
  const entriesMax = 10_000;
  return {
    get(issuer) {
      const now = Date.now();
      const entry = entries.get(issuer);
      if (entry && entry.expiresAt > now) return entry.value;
      if (entries.size >= entriesMax) entries.clear();
      const value = load(issuer);
      entries.set(issuer, { value, expiresAt: now + ttlMs });
      // A failed load is not remembered: the next request tries again.
      value.catch(() => entries.delete(issuer));
      return value;
    },
    invalidate(issuer) {
      entries.delete(issuer);
    },
  };
}
