// Partners' verification keys and status, cached for a few seconds: every signed request needs
// them, and they change rarely. A change made through this gateway drops the entry at once; one made
// through another instance of the gateway is seen within the TTL.
//
// The issuer is read from a token before any signature is checked, so anyone can ask for any issuer.
// Issuers that exist and issuers that do not are kept apart, each in a bounded LRU: a flood of made-up
// issuers churns only the small cache of unknown ones and never pushes a real partner's keys out.
import { LRUCache } from 'lru-cache';
import type { IssuerKeys } from '../../signing/request-verifier.ts';

export interface IssuerKeyCache {
  get(issuer: string): Promise<IssuerKeys | undefined>;
  invalidate(issuer: string): void;
}

export interface IssuerKeyCacheBounds {
  knownMax?: number;
  unknownMax?: number;
}

export function createIssuerKeyCache(
  load: (issuer: string) => Promise<IssuerKeys | undefined>,
  ttlMs: number,
  bounds: IssuerKeyCacheBounds = {},
): IssuerKeyCache {
  // Boxed: lru-cache keeps no undefined value, and an unknown issuer's answer is one.
  const known = new LRUCache<string, { keys: IssuerKeys }>({ max: bounds.knownMax ?? 10_000, ttl: ttlMs });
  const unknown = new LRUCache<string, true>({ max: bounds.unknownMax ?? 1_000, ttl: ttlMs });
  // One load per issuer at a time; bounded by the requests in flight.
  const loading = new Map<string, Promise<IssuerKeys | undefined>>();

  return {
    get(issuer) {
      const hit = known.get(issuer);
      if (hit) return Promise.resolve(hit.keys);
      if (unknown.has(issuer)) return Promise.resolve(undefined);
      const pending = loading.get(issuer);
      if (pending) return pending;
      const value = load(issuer);
      loading.set(issuer, value);
      // A failed load is not remembered: the next request tries again. Nor is one invalidated while
      // it ran: what it read may be what the change replaced.
      value.then(
        (keys) => {
          if (loading.get(issuer) !== value) return;
          loading.delete(issuer);
          if (keys) known.set(issuer, { keys });
          else unknown.set(issuer, true);
        },
        () => {
          if (loading.get(issuer) === value) loading.delete(issuer);
        },
      );
      return value;
    },
    invalidate(issuer) {
      known.delete(issuer);
      unknown.delete(issuer);
      loading.delete(issuer);
    },
  };
}
