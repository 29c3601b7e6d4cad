// Campaigns partners schedule on their programmes, and the cap each programme's owner sets on how far
// campaigns stack.
import type { Immutable, ImmutableTimestamp, Timestamp } from './columns.ts';

export type CampaignAppliesTo = 'transfers_in' | 'accruals';

export interface ProgramCampaignsTable {
  id: Immutable<string>;
  program_id: Immutable<string>;
  created_by: Immutable<string>;
  name: Immutable<string>;
  applies_to: Immutable<CampaignAppliesTo>;
  /** Only transfers from this programme (the campaign is on one agreement); null: every transfer in. */
  source_program_id: Immutable<string | null>;
  /** Only members of this tier at the campaign's programme; null: every member. */
  tier: Immutable<string | null>;
  multiplier_numerator: Immutable<bigint>;
  multiplier_denominator: Immutable<bigint>;
  starts_at: Immutable<Date>;
  ends_at: Immutable<Date>;
  /** Set when the partner ends it early; the campaign runs until the earlier of the two. */
  ended_at: Date | null;
  created_at: ImmutableTimestamp;
}

export interface ProgramCampaignCapsTable {
  program_id: Immutable<string>;
  cap_numerator: bigint;
  cap_denominator: bigint;
  updated_at: Timestamp;
}
