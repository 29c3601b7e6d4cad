// Multilateral netting of a settlement cycle: what partners (and the alliance) owe each other becomes,
// per currency, one net position per party and payments where each party either pays or receives.
// Pure: the close reads the obligations, or their sums per pair from a GROUP BY, and stores the result.
import { assert, basisPointsPerWhole, divideFloor, minBigint, type Ratio } from './arithmetic.ts';

/**
 * Money `debtorPartnerId` owes `creditorPartnerId`. The alliance is a party like any other, under
 * whatever id the caller gives it (e.g. `'alliance'`, which no partner id can be).
 */
export interface Obligation {
  debtorPartnerId: string;
  creditorPartnerId: string;
  /** Never negative: a reversal is an obligation the other way, not a negative amount. */
  amountMinor: bigint;
  currency: string;
}

/** The sum of every obligation from one debtor to one creditor in one currency. */
export interface GrossPair {
  debtorPartnerId: string;
  creditorPartnerId: string;
  amountMinor: bigint;
  currency: string;
}

export interface NetPosition {
  partnerId: string;
  /** Positive: the party receives this much; negative: it pays this much; zero: it is square. */
  amountMinor: bigint;
  currency: string;
}

export interface PaymentInstruction {
  payerPartnerId: string;
  payeePartnerId: string;
  amountMinor: bigint;
  currency: string;
}

/** The netting of one currency; currencies never mix. */
export interface CurrencyNetting {
  currency: string;
  /** By debtor, then creditor (ids compared by UTF-16 code units, never by locale). */
  gross: GrossPair[];
  /** One per party of `gross`, by partner id, summing to zero. */
  positions: NetPosition[];
  /** At most (parties with a non-zero position − 1); no party is both a payer and a payee. */
  instructions: PaymentInstruction[];
  grossTotalMinor: bigint;
  /** The sum of the positive positions, which is also the sum of the instructions. */
  netTotalMinor: bigint;
  /** `grossTotalMinor − netTotalMinor`: what netting spared the parties from paying. */
  savedMinor: bigint;
  /** `savedMinor / grossTotalMinor`, exact. */
  savedShare: Ratio;
  /** `savedShare` in basis points, rounded down. */
  savedBasisPoints: bigint;
}

/** Currency → debtor → creditor → sum. Nested maps spare a key string per obligation. */
type PairSums = Map<string, Map<string, Map<string, bigint>>>;

const byId = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);

function child<Value>(map: Map<string, Value>, key: string, make: () => Value): Value {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = make();
  map.set(key, made);
  return made;
}

/**
 * Sums the amounts per ordered pair and currency. A zero amount, or a party owing itself (a
 * transfer between two programmes of one partner), moves no money: both are left out.
 */
function sumPairs(entries: readonly Obligation[]): PairSums {
  const sums: PairSums = new Map();
  for (const entry of entries) {
    const { debtorPartnerId, creditorPartnerId, amountMinor, currency } = entry;
    assert(
      amountMinor >= 0n,
      `an obligation is never negative (${debtorPartnerId} owes ${creditorPartnerId})`,
    );
    if (amountMinor === 0n || debtorPartnerId === creditorPartnerId) continue;
    const byDebtor = child(sums, currency, () => new Map<string, Map<string, bigint>>());
    const byCreditor = child(byDebtor, debtorPartnerId, () => new Map<string, bigint>());
    byCreditor.set(creditorPartnerId, (byCreditor.get(creditorPartnerId) ?? 0n) + amountMinor);
  }
  return sums;
}

function sortedEntries<Value>(map: Map<string, Value>): [string, Value][] {
  return [...map].sort(([left], [right]) => byId(left, right));
}

function grossOf(currency: string, byDebtor: Map<string, Map<string, bigint>>): GrossPair[] {
  const gross: GrossPair[] = [];
  for (const [debtorPartnerId, byCreditor] of sortedEntries(byDebtor)) {
    for (const [creditorPartnerId, amountMinor] of sortedEntries(byCreditor)) {
      gross.push({ debtorPartnerId, creditorPartnerId, amountMinor, currency });
    }
  }
  return gross;
}

/**
 * The gross sums per ordered pair, by currency, debtor, then creditor: what a SQL GROUP BY over the
 * cycle's obligations gives (zero amounts and self-owed obligations left out).
 */
export function sumGrossPairs(obligations: readonly Obligation[]): GrossPair[] {
  return sortedEntries(sumPairs(obligations)).flatMap(([currency, byDebtor]) => grossOf(currency, byDebtor));
}

/**
 * Nets gross sums per pair (from a GROUP BY in the database), one result per currency, by
 * currency. Rows for the same pair are added together, so partial sums (one per kind) are fine.
 */
export function netGross(pairs: readonly GrossPair[]): CurrencyNetting[] {
  return sortedEntries(sumPairs(pairs)).map(([currency, byDebtor]) =>
    netCurrency(currency, grossOf(currency, byDebtor)),
  );
}

/** Nets the obligations of a cycle, one result per currency, by currency; the input order is irrelevant. */
export function netObligations(obligations: readonly Obligation[]): CurrencyNetting[] {
  return netGross(obligations);
}

function netCurrency(currency: string, gross: GrossPair[]): CurrencyNetting {
  const positionOf = new Map<string, bigint>();
  let grossTotalMinor = 0n;
  for (const { debtorPartnerId, creditorPartnerId, amountMinor } of gross) {
    grossTotalMinor += amountMinor;
    positionOf.set(creditorPartnerId, (positionOf.get(creditorPartnerId) ?? 0n) + amountMinor);
    positionOf.set(debtorPartnerId, (positionOf.get(debtorPartnerId) ?? 0n) - amountMinor);
  }
  const positions = sortedEntries(positionOf).map(([partnerId, amountMinor]) => ({
    partnerId,
    amountMinor,
    currency,
  }));
  const positionsTotal = positions.reduce((total, position) => total + position.amountMinor, 0n);
  assert(positionsTotal === 0n, `net positions in ${currency} sum to zero`);

  const netTotalMinor = positions.reduce(
    (total, position) => (position.amountMinor > 0n ? total + position.amountMinor : total),
    0n,
  );
  const savedMinor = grossTotalMinor - netTotalMinor;
  // A currency is only here with a positive pair, so the gross total is positive.
  assert(grossTotalMinor > 0n && savedMinor >= 0n, `netting in ${currency} never adds to the gross`);
  return {
    currency,
    gross,
    positions,
    instructions: settle(currency, positions),
    grossTotalMinor,
    netTotalMinor,
    savedMinor,
    savedShare: { numerator: savedMinor, denominator: grossTotalMinor },
    savedBasisPoints: divideFloor(savedMinor * basisPointsPerWhole, grossTotalMinor),
  };
}

/** What one party still has to pay or receive: always positive. */
interface Balance {
  partnerId: string;
  amountMinor: bigint;
}

/** Larger amounts first; equal amounts by partner id, so equal positions always give equal payments. */
function comesFirst(left: Balance, right: Balance): boolean {
  return (
    left.amountMinor > right.amountMinor ||
    (left.amountMinor === right.amountMinor && left.partnerId < right.partnerId)
  );
}

/** Keeps `queue` in reverse order of `comesFirst`, so that `pop()` takes the party that comes first. */
function enqueue(queue: Balance[], balance: Balance): void {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const other = queue[middle] as Balance;
    if (comesFirst(balance, other)) low = middle + 1;
    else high = middle;
  }
  queue.splice(low, 0, balance);
}

/**
 * Greedy settlement: the largest payer pays the largest payee the smaller of the two amounts. Each
 * payment settles its payer or its payee (the last one both), so there are at most parties − 1, and
 * a party that pays never receives.
 */
function settle(currency: string, positions: readonly NetPosition[]): PaymentInstruction[] {
  const payers: Balance[] = [];
  const payees: Balance[] = [];
  for (const { partnerId, amountMinor } of positions) {
    if (amountMinor < 0n) enqueue(payers, { partnerId, amountMinor: -amountMinor });
    if (amountMinor > 0n) enqueue(payees, { partnerId, amountMinor });
  }
  const instructionsMax = Math.max(payers.length + payees.length - 1, 0);
  const instructions: PaymentInstruction[] = [];
  for (;;) {
    const payer = payers.pop();
    const payee = payees.pop();
    if (payer === undefined || payee === undefined) {
      assert(payer === undefined && payee === undefined, `payments in ${currency} settle every position`);
      break;
    }
    const amountMinor = minBigint(payer.amountMinor, payee.amountMinor);
    instructions.push({
      payerPartnerId: payer.partnerId,
      payeePartnerId: payee.partnerId,
      amountMinor,
      currency,
    });
    if (payer.amountMinor > amountMinor) {
      enqueue(payers, { partnerId: payer.partnerId, amountMinor: payer.amountMinor - amountMinor });
    }
    if (payee.amountMinor > amountMinor) {
      enqueue(payees, { partnerId: payee.partnerId, amountMinor: payee.amountMinor - amountMinor });
    }
  }
  assert(instructions.length <= instructionsMax, `at most parties − 1 payments in ${currency}`);
  return instructions;
}
