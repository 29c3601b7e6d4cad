// A member in the console: found by a programme's account or by its id, with its links, its balance
// in each linked programme and what moved its points. A partner's user finds only members linked to
// one of its programmes, and sees only those programmes' links, balances and history: the rest of
// the member's alliance life is other partners' business.
import { ProblemError } from '../domain/errors.ts';
import type { ExpiryProfile } from '../domain/point-lots.ts';
import {
  listPrograms,
  type MemberEvent,
  memberHistory,
  memberIdByAccount,
  memberLinks,
  type ProgramRow,
} from '../store/console-members.ts';
import type { MemberLink } from '../store/database.ts';
import { readBalance } from '../store/hosted-ledger/reports.ts';
import { type ConsoleViewer, partnerScope } from './console-access.ts';
import type { ServiceContext } from './context.ts';

export type MemberLookup = { memberId: string } | { programId: string; accountRef: string };

export type ProgramBalance =
  | {
      programId: string;
      accountRef: string;
      kept: 'hosted';
      availablePoints: bigint;
      postedPoints: bigint;
      pendingDebitPoints: bigint;
      /** When the available points expire, soonest first. */
      expiryProfile: ExpiryProfile;
    }
  | {
      programId: string;
      accountRef: string;
      /** The partner's own system keeps it; the gateway holds no copy of it. */
      kept: 'partner_system';
    };

export interface ConsoleMember {
  memberId: string;
  links: MemberLink[];
  balances: ProgramBalance[];
  history: MemberEvent[];
  programs: Map<string, ProgramRow>;
}

function notFound(lookup: MemberLookup): ProblemError {
  const what = 'memberId' in lookup ? lookup.memberId : `account ${lookup.accountRef} of ${lookup.programId}`;
  return new ProblemError('not_found', `No member ${what} that you may see.`);
}

async function balanceOf(
  context: ServiceContext,
  link: MemberLink,
  program: ProgramRow | undefined,
): Promise<ProgramBalance> {
  const where = { programId: link.program_id, accountRef: link.account_ref };
  if (program?.ledger !== 'hosted') return { ...where, kept: 'partner_system' };
  const balance = await readBalance(context.db, link.program_id, link.account_ref);
  return {
    ...where,
    kept: 'hosted',
    availablePoints: balance?.availablePoints ?? 0n,
    postedPoints: balance?.postedPoints ?? 0n,
    pendingDebitPoints: balance?.pendingDebitPoints ?? 0n,
    expiryProfile: balance?.expiryProfile ?? [],
  };
}

export async function findConsoleMember(
  context: ServiceContext,
  viewer: ConsoleViewer,
  lookup: MemberLookup,
): Promise<ConsoleMember> {
  const programs = new Map((await listPrograms(context.db)).map((program) => [program.id, program]));
  const scope = partnerScope(viewer);
  const programIds = scope
    ? [...programs.values()].filter((program) => program.partner_id === scope).map((program) => program.id)
    : null;
  // A partner looks members up by its own programmes' accounts only: another partner's account
  // numbers must not lead it to a member, even one it shares.
  if (programIds && 'programId' in lookup && !programIds.includes(lookup.programId)) throw notFound(lookup);
  const memberId = 'memberId' in lookup ? lookup.memberId : await memberIdByAccount(context.db, lookup);
  if (!memberId) throw notFound(lookup);
  const links = await memberLinks(context.db, { memberId, programIds });
  // A member none of whose links is the partner's does not exist, as far as that partner can tell.
  if (links.length === 0) throw notFound(lookup);
  const [balances, history] = await Promise.all([
    Promise.all(
      links
        .filter((link) => link.revoked_at === null)
        .map((link) => balanceOf(context, link, programs.get(link.program_id))),
    ),
    memberHistory(context.db, { memberId, programIds }),
  ]);
  return { memberId, links, balances, history, programs };
}
