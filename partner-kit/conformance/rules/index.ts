// Every rule, in the order they run: what the operations do first, then what keeps them safe to
// repeat, refuse and ask about, then the edges (amounts, listings, signatures).
import type { ConformanceRule } from '../rule.ts';
import { amountRules } from './amounts.ts';
import { concurrencyRules } from './concurrency.ts';
import { creditRules } from './credits.ts';
import { fencingRules } from './fencing.ts';
import { holdRules } from './holds.ts';
import { idempotencyRules } from './idempotency.ts';
import { outcomeRules } from './outcomes.ts';
import { refusalRules } from './refusals.ts';
import { signatureRules } from './signatures.ts';
import { transactionRules } from './transactions.ts';

export const conformanceRules: readonly ConformanceRule[] = [
  ...holdRules,
  ...creditRules,
  ...idempotencyRules,
  ...concurrencyRules,
  ...refusalRules,
  ...outcomeRules,
  ...fencingRules,
  ...amountRules,
  ...transactionRules,
  ...signatureRules,
];
