// The console's sign-in limits under parallel guesses, on the real database: guesses at many usernames
// from one address at once are all counted against the address's limit.
import { describe, expect, it } from 'vitest';
import { signIn } from '../../services/console-accounts.ts';
import { createServiceContext } from '../../services/context.ts';
import { useTestDatabase } from '../support/database.ts';

const db = useTestDatabase(10);
const context = createServiceContext(db);

describe('sign-in limits', () => {
  it('lets no more failures through from one address than its limit, however many guess at once', async () => {
    const address = `198.51.100.${Math.floor(Math.random() * 250) + 1}-${Date.now()}`;
    const policy = { failuresPerUsername: 5, failuresPerAddress: 4, windowMinutes: 15, sessionHours: 8 };
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        signIn(context, {
          username: `spray-${index}-${address}`,
          password: 'guess',
          address,
          now: new Date(),
          policy,
        }),
      ),
    );
    expect(results.filter((result) => result.outcome === 'refused')).toHaveLength(4);
    expect(results.filter((result) => result.outcome === 'throttled')).toHaveLength(12);
  });
});
