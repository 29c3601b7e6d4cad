// Theft signals (积分盗刷): what a member's recent activity says about a transfer out of a programme,
// scored by the programme's partner's policy. A stolen alliance login looks alike everywhere: a new
// account linked, often several at once, then transfers in quick succession, or the whole balance
// moved at once to the new account. Each signal the partner counts adds its weight; at or above its
// threshold the transfer is held (services/theft-holds.ts), not refused. Pure: activity is passed in.

export type TheftSignal = 'new_link_transfer' | 'link_burst' | 'transfer_burst' | 'balance_drain';

export interface TheftPolicy {
  /** A transfer whose score reaches this is held. */
  threshold: number;
  /** How long a hold waits for its partner before it expires (and the transfer fails). */
  holdExpirySeconds: number;
  /** The signals that count, each with its weight; one left out never fires. */
  signals: {
    /** Either of the transfer's two links was made less than `withinSeconds` ago. */
    newLinkTransfer?: { weight: number; withinSeconds: number };
    /** The member made at least `links` links (revoked ones too) in the last `withinSeconds`. */
    linkBurst?: { weight: number; links: number; withinSeconds: number };
    /** This is at least the `transfers`-th transfer of the member in the last `withinSeconds`. */
    transferBurst?: { weight: number; transfers: number; withinSeconds: number };
    /**
     * The transfer takes at least `shareBasisPoints` of the member's balance at the source, to a
     * target link made less than `newLinkWithinSeconds` ago. Only where the gateway knows the
     * balance (the hosted ledger).
     */
    balanceDrain?: { weight: number; shareBasisPoints: number; newLinkWithinSeconds: number };
  };
}

/** A hold nobody acts on expires after a day unless the partner says otherwise. */
export const defaultHoldExpirySeconds = 86_400;

export interface MemberActivity {
  sourceLinkedAt: Date;
  targetLinkedAt: Date;
  /** When each of the member's links was made, revoked ones too (those in the longest window suffice). */
  linkedAt: readonly Date[];
  /** When each of the member's earlier transfers was made, out of any programme, whatever became of it. */
  transferredAt: readonly Date[];
  /** Points available at the source before this transfer, where the gateway keeps them; else null. */
  sourceBalancePoints: bigint | null;
}

export interface FiredSignal {
  signal: TheftSignal;
  weight: number;
  detail: string;
}

export interface TheftAssessment {
  score: number;
  threshold: number;
  held: boolean;
  signals: FiredSignal[];
}

const secondsBetween = (earlier: Date, later: Date) => (later.getTime() - earlier.getTime()) / 1000;

/**
 * The times inside the window that ends at `at`, and those after it: `at` is when the request arrived,
 * and the activity is read later, under the member's link lock, so what it finds stamped after `at`
 * (transfers sent at the same moment that committed first) happened before this transfer all the same.
 */
function countWithin(times: readonly Date[], at: Date, withinSeconds: number): number {
  return times.filter((time) => secondsBetween(time, at) < withinSeconds).length;
}

/** How far back the activity must reach for this policy: its longest window. */
export function lookbackSeconds(policy: TheftPolicy): number {
  const { linkBurst, transferBurst } = policy.signals;
  return Math.max(linkBurst?.withinSeconds ?? 0, transferBurst?.withinSeconds ?? 0);
}

/** The signals this transfer sets off under the policy, its score, and whether it is held. */
export function assessTheft(
  policy: TheftPolicy,
  activity: MemberActivity,
  transfer: { debitPoints: bigint; at: Date },
): TheftAssessment {
  const { at } = transfer;
  const { newLinkTransfer, linkBurst, transferBurst, balanceDrain } = policy.signals;
  const fired: FiredSignal[] = [];
  const newestLink = new Date(Math.max(activity.sourceLinkedAt.getTime(), activity.targetLinkedAt.getTime()));
  if (newLinkTransfer && secondsBetween(newestLink, at) < newLinkTransfer.withinSeconds) {
    fired.push({
      signal: 'new_link_transfer',
      weight: newLinkTransfer.weight,
      detail: `a link made ${Math.floor(secondsBetween(newestLink, at))} s before the transfer`,
    });
  }
  if (linkBurst) {
    const links = countWithin(activity.linkedAt, at, linkBurst.withinSeconds);
    if (links >= linkBurst.links) {
      fired.push({
        signal: 'link_burst',
        weight: linkBurst.weight,
        detail: `${links} links in ${linkBurst.withinSeconds} s`,
      });
    }
  }
  if (transferBurst) {
    const transfers = countWithin(activity.transferredAt, at, transferBurst.withinSeconds) + 1;
    if (transfers >= transferBurst.transfers) {
      fired.push({
        signal: 'transfer_burst',
        weight: transferBurst.weight,
        detail: `${transfers} transfers in ${transferBurst.withinSeconds} s`,
      });
    }
  }
  const balance = activity.sourceBalancePoints;
  if (
    balanceDrain &&
    balance !== null &&
    balance > 0n &&
    secondsBetween(activity.targetLinkedAt, at) < balanceDrain.newLinkWithinSeconds &&
    transfer.debitPoints * 10_000n >= balance * BigInt(balanceDrain.shareBasisPoints)
  ) {
    fired.push({
      signal: 'balance_drain',
      weight: balanceDrain.weight,
      detail: `${transfer.debitPoints} of ${balance} points to a link made ${Math.floor(
        secondsBetween(activity.targetLinkedAt, at),
      )} s before`,
    });
  }
  const score = fired.reduce((sum, signal) => sum + signal.weight, 0);
  return { score, threshold: policy.threshold, held: score >= policy.threshold, signals: fired };
}
