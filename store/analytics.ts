// Alliance analytics in SQL over the exchange's own tables: members' recency, frequency and
// monetary value scored per programme and across the alliance, the programme pairs points move
// between most, and how soon a new link leads to a first transfer. One statement per figure; the
// database groups members into score cells, and domain/analytics.ts names the cells' segments.
//
// Activity is a completed transfer (transfers.status = 'completed') or a paid catalog order
// (catalog_orders.status = 'completed': points taken, coupon issued), dated by its created_at,
// in the window [from, to). A member is members.id, the id every link, transfer and order carries.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import {
  type AnalyticsWindow,
  type RfmCell,
  recencyScoreThresholdsDays,
  type Score,
} from '../domain/analytics.ts';
import type { Database } from './database.ts';

/** Whose figures: every programme, or those of one partner, or one programme. */
export interface AnalyticsScope {
  partnerId: string | null;
  programId: string | null;
}

export interface ProgramRfmCell extends RfmCell {
  programId: string;
  programName: string;
  partnerId: string;
}

export interface AllianceRfmCell extends RfmCell {
  currency: string;
}

interface CellRow {
  scope: string;
  r: number;
  f: number;
  m: number;
  single: boolean;
  members: bigint;
  activities: bigint;
  monetaryTotal: bigint;
}

const [recent, month, quarter, halfYear] = recencyScoreThresholdsDays;

/**
 * Scores the members of `memberFigures` (scope, member_id, last_at, frequency, monetary) within
 * their scope and counts them per cell of scores: recency against the fixed thresholds, frequency
 * and monetary by quintile of their mid-rank (domain/analytics.ts says why).
 */
function scoreCells(memberFigures: RawBuilder<unknown>, to: Date): RawBuilder<CellRow> {
  return sql<CellRow>`with member_figures as (${memberFigures}),
    ranked as (
      select scope, frequency, monetary,
        extract(epoch from (${to}::timestamptz - last_at)) / 86400 as recency_days,
        percent_rank() over (partition by scope order by frequency) as f_rank,
        cume_dist() over (partition by scope order by frequency) as f_dist,
        percent_rank() over (partition by scope order by monetary) as m_rank,
        cume_dist() over (partition by scope order by monetary) as m_dist
      from member_figures
    ),
    scored as (
      select scope, frequency, monetary,
        case when recency_days <= ${recent} then 5 when recency_days <= ${month} then 4
          when recency_days <= ${quarter} then 3 when recency_days <= ${halfYear} then 2 else 1 end as r,
        least(5, 1 + floor((f_rank + f_dist) / 2 * 5))::int as f,
        least(5, 1 + floor((m_rank + m_dist) / 2 * 5))::int as m,
        frequency = 1 as single
      from ranked
    )
    select scope, r, f, m, single, count(*)::int8 as members, sum(frequency)::int8 as activities,
      sum(monetary) as "monetaryTotal"
    from scored
    group by scope, r, f, m, single`;
}

const cellOf = (row: CellRow): RfmCell => ({
  recency: row.r as Score,
  frequency: row.f as Score,
  monetary: row.m as Score,
  single: row.single,
  members: row.members,
  activities: row.activities,
  monetaryTotal: row.monetaryTotal,
});

const inWindow = (column: RawBuilder<unknown>, window: AnalyticsWindow) =>
  sql`${column} >= ${window.from} and ${column} < ${window.to}`;

const programInScope = (programId: RawBuilder<unknown>, scope: AnalyticsScope) =>
  sql`(${scope.programId}::text is null or ${programId} = ${scope.programId})
    and (${scope.partnerId}::text is null
      or exists (select 1 from programs p where p.id = ${programId} and p.partner_id = ${scope.partnerId}))`;

/**
 * Per programme: a member's activity is every transfer out of it (its debit points), into it (its
 * credit points) and every catalog order paid with its points; monetary value in that programme's
 * points, so no conversion between programmes is needed.
 */
export async function programRfmCells(
  db: Kysely<Database>,
  scope: AnalyticsScope,
  window: AnalyticsWindow,
): Promise<ProgramRfmCell[]> {
  const completedTransfers = sql`transfers t where t.status = 'completed' and ${inWindow(sql.ref('t.created_at'), window)}`;
  const memberFigures = sql`select program_id as scope, member_id, max(at) as last_at, count(*) as frequency,
      sum(points) as monetary
    from (
      select t.source_program_id as program_id, t.member_id, t.created_at as at, t.debit_points as points
        from ${completedTransfers}
      union all
      select t.target_program_id, t.member_id, t.created_at, t.credit_points from ${completedTransfers}
      union all
      select o.program_id, o.member_id, o.created_at, o.debit_points
        from catalog_orders o where o.status = 'completed' and ${inWindow(sql.ref('o.created_at'), window)}
    ) activity
    where ${programInScope(sql.ref('program_id'), scope)}
    group by program_id, member_id`;
  const { rows } = await sql<CellRow & { programName: string; partnerId: string }>`
    select cells.*, p.name as "programName", p.partner_id as "partnerId"
    from (${scoreCells(memberFigures, window.to)}) cells join programs p on p.id = cells.scope
    order by p.partner_id, cells.scope`.execute(db);
  return rows.map((row) => ({
    ...cellOf(row),
    programId: row.scope,
    programName: row.programName,
    partnerId: row.partnerId,
  }));
}

/**
 * Across the alliance: a member's activity is each transfer (once, not at both ends) and each paid
 * order, worth the settlement amount its quote fixed (what one partner owes another for it), in
 * minor units. Amounts in different currencies are not added: members are scored per currency.
 */
export async function allianceRfmCells(
  db: Kysely<Database>,
  window: AnalyticsWindow,
): Promise<AllianceRfmCell[]> {
  const memberFigures = sql`select currency as scope, member_id, max(at) as last_at, count(*) as frequency,
      sum(amount_minor) as monetary
    from (
      select t.member_id, t.created_at as at, q.settlement_amount_minor as amount_minor, q.currency
        from transfers t join quotes q on q.id = t.quote_id
        where t.status = 'completed' and ${inWindow(sql.ref('t.created_at'), window)}
      union all
      select o.member_id, o.created_at, q.settlement_amount_minor, q.currency
        from catalog_orders o join quotes q on q.id = o.quote_id
        where o.status = 'completed' and ${inWindow(sql.ref('o.created_at'), window)}
    ) activity
    group by currency, member_id`;
  const { rows } = await sql<CellRow>`select * from (${scoreCells(memberFigures, window.to)}) cells
    order by scope`.execute(db);
  return rows.map((row) => ({ ...cellOf(row), currency: row.scope }));
}

export interface BrandPair {
  sourceProgramId: string;
  sourceProgramName: string;
  sourcePartnerId: string;
  targetProgramId: string;
  targetProgramName: string;
  targetPartnerId: string;
  transfers: bigint;
  members: bigint;
  debitPoints: bigint;
  creditPoints: bigint;
}

/**
 * The programme pairs with the most completed transfers in the window (more points debited first
 * among equals), at most `limit`; for a partner, the pairs with its programme at either end.
 */
export async function topBrandPairs(
  db: Kysely<Database>,
  input: { partnerId: string | null; window: AnalyticsWindow; limit: number },
): Promise<BrandPair[]> {
  const { rows } = await sql<BrandPair>`
    select t.source_program_id as "sourceProgramId", s.name as "sourceProgramName",
      s.partner_id as "sourcePartnerId", t.target_program_id as "targetProgramId",
      g.name as "targetProgramName", g.partner_id as "targetPartnerId",
      count(*)::int8 as transfers, count(distinct t.member_id)::int8 as members,
      sum(t.debit_points) as "debitPoints", sum(t.credit_points) as "creditPoints"
    from transfers t
      join programs s on s.id = t.source_program_id
      join programs g on g.id = t.target_program_id
    where t.status = 'completed' and ${inWindow(sql.ref('t.created_at'), input.window)}
      and (${input.partnerId}::text is null or s.partner_id = ${input.partnerId} or g.partner_id = ${input.partnerId})
    group by t.source_program_id, s.name, s.partner_id, t.target_program_id, g.name, g.partner_id
    order by transfers desc, "debitPoints" desc, t.source_program_id, t.target_program_id
    limit ${input.limit}`.execute(db);
  return rows;
}

export interface LinkConversion {
  /** Null on the row that adds every programme in scope up. */
  programId: string | null;
  programName: string | null;
  links: bigint;
  converted: bigint;
  convertedWithin1Day: bigint;
  convertedWithin7Days: bigint;
  convertedWithin30Days: bigint;
  /** Median time from link to first transfer among the converted; null when none converted. */
  medianSecondsToFirstTransfer: bigint | null;
}

/**
 * Links made in the window, and how many of them led to a first completed transfer of the member
 * out of or into the linked programme at or after the link (at any time up to now, so an old
 * cohort's figure is whole), per programme and in total.
 */
export async function linkConversion(
  db: Kysely<Database>,
  scope: AnalyticsScope,
  window: AnalyticsWindow,
): Promise<LinkConversion[]> {
  const { rows } = await sql<LinkConversion>`
    with made as (
      select l.program_id, l.linked_at,
        (select min(t.created_at) from transfers t
          where t.member_id = l.member_id and t.status = 'completed' and t.created_at >= l.linked_at
            and (t.source_program_id = l.program_id or t.target_program_id = l.program_id)) as first_at
      from member_links l
      where ${inWindow(sql.ref('l.linked_at'), window)} and ${programInScope(sql.ref('l.program_id'), scope)}
    )
    select made.program_id as "programId", max(p.name) as "programName",
      count(*)::int8 as links, count(first_at)::int8 as converted,
      count(*) filter (where first_at < linked_at + interval '1 day')::int8 as "convertedWithin1Day",
      count(*) filter (where first_at < linked_at + interval '7 days')::int8 as "convertedWithin7Days",
      count(*) filter (where first_at < linked_at + interval '30 days')::int8 as "convertedWithin30Days",
      round(percentile_cont(0.5) within group (order by extract(epoch from first_at - linked_at)))::int8
        as "medianSecondsToFirstTransfer"
    from made join programs p on p.id = made.program_id
    group by grouping sets ((made.program_id), ())
    order by made.program_id nulls last`.execute(db);
  return rows;
}
