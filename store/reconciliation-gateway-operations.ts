// The gateway's own record of every operation it made at one programme's loyalty system, derived
// from the transfers' and reversals' steps: the key it sent, the account, the points, the status the
// operation should have now, and when it was made. A step counts when it was answered done, or when
// asking about it answered succeeded and no done step of it is in the window (each key once: a done
// step is unique per transfer and step, so nothing has to be sorted to drop duplicates). A
// reservation's status is its transfer's `reservation_end`, kept by the step that posts or voids it
// (store/transfers.ts), so nothing here looks for that step. The other subjects' operations
// (accruals, points payments, catalog orders) follow them (reconciliation-subject-operations.ts).
import { type RawBuilder, sql } from 'kysely';
import { subjectOperations } from './reconciliation-subject-operations.ts';

export interface GatewayOperationsScope {
  programId: string;
  from: Date;
  to: Date;
}

/** The operations as a subquery: key, operation, account_ref, points, status, at. */
export function gatewayOperations(scope: GatewayOperationsScope): RawBuilder<unknown> {
  // `offset 0` keeps the steps' scan and join a subquery of their own, run by parallel workers; a
  // credit's status looks its reversals up (a correlated subquery, which workers do not run) above it.
  return sql`(
    select op.owner || ':' || op.name as key,
      case op.name when 'restore' then 'credit' else op.name end as operation,
      op.account_ref, op.points,
      case
        when op.reversal_id is not null and op.name = 'reverse' then 'reversed'
        when op.reversal_id is not null then 'credited'
        when op.name = 'reserve' then coalesce(op.reservation_end, 'reserved')
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
        coalesce(s.reversal_id, s.transfer_id) as owner, s.name, s.reversal_id, s.transfer_id, t.credit_points,
        t.reservation_end, s.at,
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
        end as points
      from (
        select
          done.transfer_id,
          done.at,
          case when done.step like 'rvs\\_%' then split_part(done.step, ':', 1) end as reversal_id,
          case when done.step like 'rvs\\_%' then split_part(done.step, ':', 2) else done.step end as name
        from transfer_steps done
        where done.at >= ${scope.from} and done.at < ${scope.to}
          and done.outcome = 'done' and (done.step in ('reserve', 'credit', 'post', 'void')
            or done.step like 'rvs\\_%:reverse' or done.step like 'rvs\\_%:credit' or done.step like 'rvs\\_%:restore')
        union all
        -- Rare (a step that got no answer): read through their own partial index (migration 2026-11-30T0330).
        select
          asked.transfer_id,
          asked.at,
          case when asked.step like 'rvs\\_%' then split_part(asked.step, ':', 1) end as reversal_id,
          replace(case when asked.step like 'rvs\\_%' then split_part(asked.step, ':', 2) else asked.step end,
            '_outcome_asked', '') as name
        from transfer_steps asked
        where asked.at >= ${scope.from} and asked.at < ${scope.to}
          and asked.outcome = 'succeeded' and asked.step like '%\\_outcome\\_asked'
          and not exists (
            select 1 from transfer_steps done
            where done.transfer_id = asked.transfer_id and done.step = replace(asked.step, '_outcome_asked', '')
              and done.outcome = 'done' and done.at >= ${scope.from} and done.at < ${scope.to}
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
      offset 0
    ) op
    union all
    ${subjectOperations(scope)}
  )`;
}
