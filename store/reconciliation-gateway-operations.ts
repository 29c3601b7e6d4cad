// The gateway's own record of every operation it made at one programme's loyalty system, derived
// from the transfers' and reversals' steps (nothing extra is written on the hot path): the key it
// sent, the account, the points, the status the operation should have now, and when it was made.
// A step counts when it was answered done, or when asking about it answered succeeded.
import { type RawBuilder, sql } from 'kysely';

export interface GatewayOperationsScope {
  programId: string;
  from: Date;
  to: Date;
}

/** The operations as a subquery: key, operation, account_ref, points, status, at. */
export function gatewayOperations(scope: GatewayOperationsScope): RawBuilder<unknown> {
  return sql`(
    select distinct on (op.owner, op.name) op.key, op.operation, op.account_ref, op.points,
      case
        when op.reversal_id is not null and op.name = 'reverse' then 'reversed'
        when op.reversal_id is not null then 'credited'
        when op.name = 'reserve' then
          case
            when op.posted_in_window
              or exists (select 1 from transfer_steps p where p.transfer_id = op.transfer_id and p.step = 'post' and p.outcome = 'done') then 'posted'
            when op.voided_in_window
              or exists (select 1 from transfer_steps v where v.transfer_id = op.transfer_id and v.step = 'void' and v.outcome = 'done') then 'voided'
            else 'reserved'
          end
        when op.name = 'credit' then
          case
            when (select coalesce(sum(x.taken_target_points), 0) from transfer_reversals x
                  where x.transfer_id = op.transfer_id and x.status in ('taken', 'completed', 'failed', 'needs_attention'))
                 >= op.credit_points then 'reversed'
            else 'credited'
          end
        when op.name = 'post' then 'posted'
        else 'voided'
      end as status,
      op.at
    from (
      select
        coalesce(s.reversal_id, s.transfer_id) as owner, s.name, s.reversal_id, s.transfer_id, t.credit_points, s.at,
        coalesce(s.reversal_id, s.transfer_id) || ':' || s.name as key,
        case s.name when 'restore' then 'credit' else s.name end as operation,
        case
          when s.reversal_id is null and s.name = 'credit' then t.target_account_ref
          when s.reversal_id is null then t.source_account_ref
          when s.name = 'credit' then t.source_account_ref
          else t.target_account_ref
        end as account_ref,
        case
          when s.reversal_id is null and s.name = 'credit' then t.credit_points
          when s.reversal_id is null then t.debit_points
          when s.name = 'credit' then r.returned_source_points
          else r.taken_target_points
        end as points,
        -- A reservation's post or void is nearly always among the period's own steps (its transfer's,
        -- at the same programme): seen here, without looking it up for each reservation.
        bool_or(s.step = 'post' and s.outcome = 'done') over owner as posted_in_window,
        bool_or(s.step = 'void' and s.outcome = 'done') over owner as voided_in_window
      from (
        select
          step.transfer_id,
          step.step,
          step.outcome,
          step.at,
          case when step.step like 'rvs\\_%' then split_part(step.step, ':', 1) end as reversal_id,
          replace(case when step.step like 'rvs\\_%' then split_part(step.step, ':', 2) else step.step end, '_outcome_asked', '') as name
        from transfer_steps step
        where step.at >= ${scope.from} and step.at < ${scope.to}
          and (
            (step.outcome = 'done' and (step.step in ('reserve', 'credit', 'post', 'void')
              or step.step like 'rvs\\_%:reverse' or step.step like 'rvs\\_%:credit' or step.step like 'rvs\\_%:restore'))
            or (step.outcome = 'succeeded' and step.step like '%\\_outcome\\_asked')
          )
      ) s
      join transfers t on t.id = s.transfer_id
      left join transfer_reversals r on r.id = s.reversal_id
      where
        case
          when s.reversal_id is null and s.name = 'credit' then t.target_program_id
          when s.reversal_id is null then t.source_program_id
          when s.name = 'credit' then t.source_program_id
          else t.target_program_id
        end = ${scope.programId}
      window owner as (partition by coalesce(s.reversal_id, s.transfer_id) order by s.name, s.at
        rows between unbounded preceding and unbounded following)
    ) op
    order by op.owner, op.name, op.at
  )`;
}
