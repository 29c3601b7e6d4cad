// The gateway's own record of the operations it made at one programme's loyalty system for the
// subjects other than transfers: accruals and their refunds, points payments, catalog orders and the
// refunds of their expired coupons. Same columns and rules as the transfers' (a step counts when it
// was answered done, or when asking about it answered succeeded; each key once), read from each
// subject's steps and priced as the partner's contract records them: a post or a void carries its
// reservation's points, a partial capture posts the whole authorization and credits the rest back.
// Without them every such key a partner lists would be a break "missing at the gateway".
import { type RawBuilder, sql } from 'kysely';

/** The programme and period, as reconciliation-gateway-operations.ts takes them. */
interface GatewayOperationsScope {
  programId: string;
  from: Date;
  to: Date;
}

/**
 * The status an operation of a subject should have now: a reservation's from its subject's steps
 * (whenever they were made: `posted` once posted, `voided` once voided), a post's or a void's their
 * own, anything else (a credit) `credited`.
 */
function statusNow(steps: RawBuilder<unknown>, subject: RawBuilder<unknown>): RawBuilder<unknown> {
  const ended = (step: string) => sql`exists (
      select from ${steps} e where e.subject_id = ${subject}
        and ((e.step = ${step} and e.outcome = 'done') or (e.step = ${`${step}_outcome_asked`} and e.outcome = 'succeeded')))`;
  return sql`case d.name
        when 'reserve' then case when ${ended('post')} then 'posted' when ${ended('void')} then 'voided' else 'reserved' end
        when 'post' then 'posted'
        when 'void' then 'voided'
        else 'credited'
      end`;
}

/**
 * A subject's steps in the window that took effect, each (subject, operation, step) once at its
 * earliest: `name` is the step (`credit`, `<refundId>:reverse`...), an asked step under its own name.
 */
function effective(steps: RawBuilder<unknown>, scope: GatewayOperationsScope): RawBuilder<unknown> {
  return sql`(
    select s.subject_id, s.operation_id, s.name, min(s.at) as at
    from (
      select subject_id, operation_id, step as name, at from ${steps} done
      where at >= ${scope.from} and at < ${scope.to} and outcome = 'done'
      union all
      select subject_id, operation_id, replace(step, '_outcome_asked', ''), at from ${steps} asked
      where at >= ${scope.from} and at < ${scope.to} and outcome = 'succeeded' and step like '%\\_outcome\\_asked'
    ) s
    group by s.subject_id, s.operation_id, s.name
  )`;
}

const accrualSteps = sql`(select accrual_id as subject_id, null::text as operation_id, step, outcome, at from accrual_steps)`;
const orderSteps = sql`(select order_id as subject_id, null::text as operation_id, step, outcome, at from catalog_order_steps)`;
const paymentSteps = sql`(select payment_id as subject_id, operation_id, step, outcome, at from points_payment_steps)`;

/** The operations as rows of (key, operation, account_ref, points, status, at), for a union. */
export function subjectOperations(scope: GatewayOperationsScope): RawBuilder<unknown> {
  return sql`
    -- An accrual's credit (reversed once its refunds took it all back) and each refund's take-back.
    select k.key, k.operation, a.account_ref, k.points, k.status, d.at
    from ${effective(accrualSteps, scope)} d
    join accruals a on a.id = d.subject_id and a.program_id = ${scope.programId}
    left join accrual_reversals r on d.name like 'arv\\_%:reverse' and r.id = split_part(d.name, ':', 1)
    cross join lateral (select
      case when r.id is null then a.id || ':credit' else d.name end as key,
      case when r.id is null then 'credit' else 'reverse' end as operation,
      case when r.id is null then a.points else coalesce(r.taken_points, r.points) end as points,
      case
        when r.id is not null then 'reversed'
        when (select coalesce(sum(x.taken_points), 0) from accrual_reversals x where x.accrual_id = a.id) >= a.points
          then 'reversed'
        else 'credited'
      end as status) k
    where d.name = 'credit' or r.id is not null
    union all
    -- A catalog order's reservation, post or void, and its expired coupon's refund.
    select k.key, k.operation, o.account_ref, o.debit_points, k.status, d.at
    from ${effective(orderSteps, scope)} d
    join catalog_orders o on o.id = d.subject_id and o.program_id = ${scope.programId}
    left join coupons c on d.name = 'coupon_refund' and c.order_id = o.id
    cross join lateral (select
      case when d.name = 'coupon_refund' then c.id || ':refund' else o.id || ':' || d.name end as key,
      case when d.name = 'coupon_refund' then 'credit' else d.name end as operation,
      ${statusNow(orderSteps, sql`o.id`)} as status) k
    where d.name in ('reserve', 'post', 'void') or (d.name = 'coupon_refund' and c.id is not null)
    union all
    -- A points payment's authorization, capture (the whole authorization posted), void, the
    -- uncaptured rest credited back, and each refund's credit.
    select k.key, k.operation, p.account_ref, k.points, k.status, min(d.at)
    from ${effective(paymentSteps, scope)} d
    join points_payments p on p.id = d.subject_id and p.program_id = ${scope.programId}
    join points_payment_operations op on op.id = d.operation_id
    cross join lateral (select
      case when d.name = 'refund' then op.id || ':credit' else p.id || ':' || d.name end as key,
      case when d.name in ('release', 'refund') then 'credit' else d.name end as operation,
      case d.name
        when 'release' then p.authorized_points - op.points
        when 'refund' then op.points
        else p.authorized_points
      end as points,
      ${statusNow(paymentSteps, sql`p.id`)} as status) k
    where d.name in ('reserve', 'post', 'void', 'release', 'refund')
    -- A void asked for by two operations (the merchant's, and the sweep at the authorization's end)
    -- is one key at the partner.
    group by k.key, k.operation, p.account_ref, k.points, k.status`;
}
