// The floor under a hosted-to-hosted transfer: the least such a transfer must keep, written by one
// prepared statement in one durable transaction (raw pg, no Kysely, no use case), printed as JSON:
// node bench/hosted-transfer-floor.ts URL SOURCE_PARTNER SOURCE_PROGRAM TARGET_PARTNER TARGET_PROGRAM MEMBER_IDS count concurrency
//
// What it keeps is what no design may drop: the request's jti and its key with the stored reply, the
// priced quote, the transfer, the source member's counters and the lot it burns, the target member's
// counters and the lot it gains, each side's ledger transfer with its two entries, the obligation and
// one webhook row per partner, each in the real table with its indexes and foreign keys. It leaves out
// what the gateway writes beside that (steps, holds, the reservation's own row, the reads of links,
// caps and the agreement), so a transfer can only be slower than this.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runLanes } from './lib/lanes.ts';

const [
  url = '',
  sourcePartnerId = '',
  sourceProgramId = '',
  targetPartnerId = '',
  targetProgramId = '',
  memberIdsText = '',
  countText = '10000',
  concurrencyText = '8',
] = process.argv.slice(2);
const memberIds = memberIdsText.split(',');
const concurrency = Number(concurrencyText);
const pool = new pg.Pool({ connectionString: url, max: concurrency });

async function one<T>(text: string, values: unknown[] = []): Promise<T> {
  const { rows } = await pool.query(text, values);
  if (rows.length !== 1) throw new Error(`expected one row from: ${text}`);
  return rows[0] as T;
}

const agreement = await one<{ agreement_id: string; version: number }>(
  `select agreement_id, version from rate_agreement_versions
   where agreement_id in (select id from rate_agreements where source_program_id = $1 and target_program_id = $2)
   order by version desc limit 1`,
  [sourceProgramId, targetProgramId],
);
const clearing = await one<{ id: string }>(
  `select id from ledger_accounts where program_id = $1 and kind = 'alliance_clearing'`,
  [sourceProgramId],
);
const issuance = await one<{ id: string }>(
  `select id from ledger_accounts where program_id = $1 and kind = 'issuance'`,
  [targetProgramId],
);
// Each member's two accounts, the target's opened here as a first credit would open it.
const members: { memberId: string; accountRef: string; source: string; target: string }[] = [];
for (const memberId of memberIds) {
  const link = await one<{ account_ref: string }>(
    `select account_ref from member_links where member_id = $1 and program_id = $2 and revoked_at is null`,
    [memberId, sourceProgramId],
  );
  const source = await one<{ id: string }>(
    `select id from ledger_accounts where program_id = $1 and account_ref = $2`,
    [sourceProgramId, link.account_ref],
  );
  const target = await one<{ id: string }>(
    `insert into ledger_accounts (program_id, kind, account_ref, debits_must_not_exceed_credits)
     values ($1, 'member', $2, true)
     on conflict (program_id, account_ref) do update set kind = excluded.kind returning id`,
    [targetProgramId, link.account_ref],
  );
  members.push({ memberId, accountRef: link.account_ref, source: source.id, target: target.id });
}

const reply = JSON.stringify({
  id: 'trf_floor',
  status: 'completed',
  steps: [1, 2, 3],
  padding: 'x'.repeat(700),
});
const statement = {
  name: 'hosted_transfer_floor',
  text: `
  with
  jti as (insert into request_nonces (issuer, jti, expires_at) values ($1, $2, now() + interval '5 minutes')),
  quote as (
    insert into quotes (id, requested_by, member_id, source_program_id, target_program_id, agreement_id,
      agreement_version, converted_source_points, fee_points, debit_points, credit_points,
      daily_cap_source_points, ratio_numerator, ratio_denominator, remainder_numerator,
      remainder_denominator, modifiers, settlement_amount_minor, fee_amount_minor, currency, expires_at,
      used_by_transfer_id)
    values ($3, $1, $4, $5, $6, $7, $8, 10, 0, 10, 7, 1000000000000, 7, 10, 0, 1, '[]', 7, 0, 'CNY',
      now() + interval '1 minute', $9)
    returning id),
  transfer as (
    insert into transfers (id, quote_id, requested_by, member_id, source_program_id, target_program_id,
      source_account_ref, target_account_ref, debit_points, credit_points, status, reservation_end)
    select $9, quote.id, $1, $4, $5, $6, $10, $10, 10, 7, 'completed', 'posted' from quote
    returning id),
  source as (
    update ledger_accounts set debits_posted = debits_posted + 10
    where id = $11 and credits_posted - debits_posted - debits_pending >= 10 returning id),
  lot as (
    select id from ledger_lots where account_id = (select id from source) and remaining_points >= 10
    order by expires_at nulls last, id limit 1),
  burnt as (
    update ledger_lots set remaining_points = remaining_points - 10 where id = (select id from lot) returning id),
  debit as (
    insert into ledger_transfers (program_id, key, operation, debit_account_id, credit_account_id,
      amount_points, status, reason)
    select $5, $9 || ':debit', 'reserve', source.id, $12, 10, 'post_done', 'floor' from source returning id),
  debit_entries as (
    insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
    select debit.id, account, 'posted', amount, 'floor'
    from debit, (values ($11::bigint, -10::bigint), ($12::bigint, 10::bigint)) as entry (account, amount)),
  target as (update ledger_accounts set credits_posted = credits_posted + 7 where id = $13 returning id),
  credit as (
    insert into ledger_transfers (program_id, key, operation, debit_account_id, credit_account_id,
      amount_points, status, reason)
    select $6, $9 || ':credit', 'credit', $14, target.id, 7, 'posted', 'floor' from target returning id),
  credit_entries as (
    insert into ledger_entries (transfer_id, account_id, phase, amount_points, reason)
    select credit.id, account, 'posted', amount, 'floor'
    from credit, (values ($14::bigint, -7::bigint), ($13::bigint, 7::bigint)) as entry (account, amount)),
  credit_lot as (
    insert into ledger_lots (account_id, credit_transfer_id, expires_at, points, remaining_points)
    select $13, credit.id, null, 7, 7 from credit),
  obligation as (
    insert into settlement_obligations (source_id, transfer_id, kind, debtor_partner_id,
      creditor_partner_id, amount_minor, currency, cycle_id)
    select transfer.id, transfer.id, 'transfer', $1, $15, 7, 'CNY',
      (select id from settlement_cycles where status = 'open')
    from transfer),
  webhooks as (
    insert into webhook_deliveries (id, partner_id, event_type, event_id, payload, status)
    select $9 || ':' || partner, partner, 'transfer.completed', $9, '{}'::jsonb, 'pending'
    from transfer, (values ($1), ($15)) as partners (partner)),
  answer as (
    insert into idempotency_records (principal, key, request_hash, status, response_status,
      response_content_type, response_body, locked_until, effect_id)
    select $1, $2, $2, 'completed', 201, 'application/json', $16, now(), transfer.id from transfer)
  select (select count(*) from debit) as debited, (select count(*) from burnt) as burnt`,
};

let failureShown = false;

async function transferOnce(): Promise<string> {
  const member = members[Math.floor(Math.random() * members.length)];
  if (!member) throw new Error('no members');
  const transferId = `trf_${randomUUID()}`;
  const { rows } = await pool
    .query<{ debited: string; burnt: string }>({
      ...statement,
      values: [
        sourcePartnerId,
        randomUUID(),
        `qte_${randomUUID()}`,
        member.memberId,
        sourceProgramId,
        targetProgramId,
        agreement.agreement_id,
        agreement.version,
        transferId,
        member.accountRef,
        member.source,
        clearing.id,
        member.target,
        issuance.id,
        targetPartnerId,
        reply,
      ],
    })
    .catch((error: unknown) => {
      // The first failure says why; the tally counts every one.
      if (!failureShown) process.stderr.write(`floor statement failed: ${String(error)}\n`);
      failureShown = true;
      throw error;
    });
  return rows[0]?.debited === '1' && rows[0]?.burnt === '1' ? 'completed' : 'not_debited';
}

await runLanes(500, concurrency, ['completed'], transferOnce);
const result = await runLanes(Number(countText), concurrency, ['completed'], transferOnce);
await pool.end();
process.stdout.write(`${JSON.stringify(result)}\n`);
