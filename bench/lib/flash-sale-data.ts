// The flash sale's data, straight in SQL: a publisher and a buying partner, each with a programme, an
// agreement in force from the buyer's programme to the publisher's, and members linked to the
// buyer's programme. Each round gets an item of its own (a coupon, generated codes, one per member)
// with its stock, and one price quote per member for it, as POST /v1/catalog/quotes would store it.
import type pg from 'pg';

export const flashIds = {
  publisher: 'ptn_flash_publisher',
  buyer: 'ptn_flash_buyer',
  publisherProgram: 'prg_flash_publisher',
  buyerProgram: 'prg_flash_buyer',
  agreement: 'agr_flash',
};

export const flashMemberId = (n: number) => `mbr_flash_${String(n).padStart(16, '0')}`;
export const flashQuoteId = (round: number, n: number) =>
  `qte_flash_${String(round).padStart(3, '0')}_${String(n).padStart(12, '0')}`;
export const flashItemId = (round: number) => `itm_flash_${String(round).padStart(3, '0')}`;

export async function loadFlashAlliance(client: pg.ClientBase, members: number): Promise<void> {
  await client.query(
    `insert into partners (id, name, status) values ($1, 'Flash publisher', 'active'), ($2, 'Flash buyer', 'active')`,
    [flashIds.publisher, flashIds.buyer],
  );
  await client.query(
    `insert into programs (id, partner_id, name, unit_name, ledger)
     values ($1, $2, 'Flash points', 'points', 'hosted'), ($3, $4, 'Buyer miles', 'miles', 'hosted')`,
    [flashIds.publisherProgram, flashIds.publisher, flashIds.buyerProgram, flashIds.buyer],
  );
  await client.query(
    `insert into members (id, created_at)
     select 'mbr_flash_' || lpad(n::text, 16, '0'), now() - interval '30 days' from generate_series(1, $1::int) as n`,
    [members],
  );
  await client.query(
    `insert into member_links (id, member_id, program_id, account_ref, consent_granted_at, consent_scopes,
       consent_reference, linked_at, cooling_off_until)
     select 'lnk_flash_' || lpad(n::text, 16, '0'), 'mbr_flash_' || lpad(n::text, 16, '0'), $2, 'buyer-' || n,
       now() - interval '30 days', array['transfers', 'redemptions'], 'bench consent', now() - interval '30 days',
       now() - interval '29 days'
     from generate_series(1, $1::int) as n`,
    [members, flashIds.buyerProgram],
  );
  await client.query(
    `insert into rate_agreements (id, source_program_id, target_program_id, created_at)
     values ($1, $2, $3, now() - interval '30 days')`,
    [flashIds.agreement, flashIds.buyerProgram, flashIds.publisherProgram],
  );
  await client.query(
    `insert into rate_agreement_versions (agreement_id, version, from_points, to_points, rounding, fee_basis_points,
       fee_payer, source_points_min, source_points_max, member_daily_cap_source_points, settlement_amount_minor,
       settlement_per_target_points, settlement_currency, tier_ratios, campaigns, effective_from, proposed_by,
       source_accepted_at, target_accepted_at)
     values ($1, 1, 10, 7, 'floor', 0, 'source_partner', 1, 1000000, 1000000000, 1, 100, 'USD', '[]', '[]',
       now() - interval '30 days', $2, now() - interval '30 days', now() - interval '30 days')`,
    [flashIds.agreement, flashIds.buyer],
  );
}

/** The round's item, on sale with this stock and one per member, and a quote for it per member. */
export async function loadFlashRound(
  client: pg.ClientBase,
  input: { round: number; stock: number; members: number },
): Promise<{ itemId: string }> {
  const itemId = flashItemId(input.round);
  await client.query(
    `insert into catalog_items (id, publisher_id, program_id, kind, status, current_version, external_ref,
       code_source, stock_total, stock_left)
     values ($1, $2, $3, 'coupon', 'active', 1, null, 'generated', $4, $4)`,
    [itemId, flashIds.publisher, flashIds.publisherProgram, input.stock],
  );
  await client.query(
    `insert into catalog_item_versions (item_id, version, title, description, image_urls, tags, price_points,
       sale_starts_at, sale_ends_at, per_member_limit, details)
     values ($1, 1, 'Flash sale voucher', '', '{}', '{flash}', 70, now() - interval '1 hour', null, 1,
       '{"faceValue": null, "validity": {"days": 30}, "terms": "", "refundOnExpiry": false}')`,
    [itemId],
  );
  // 70 publisher points at 10 miles for 7: 100 miles.
  await client.query(
    `insert into quotes (id, requested_by, member_id, source_program_id, target_program_id, agreement_id,
       agreement_version, converted_source_points, fee_points, debit_points, credit_points, daily_cap_source_points,
       ratio_numerator, ratio_denominator, remainder_numerator, remainder_denominator, modifiers,
       settlement_amount_minor, fee_amount_minor, currency, expires_at, item_id, item_version)
     select 'qte_flash_' || lpad($1::text, 3, '0') || '_' || lpad(n::text, 12, '0'), $3,
       'mbr_flash_' || lpad(n::text, 16, '0'), $4, $5, $6, 1, 100, 0, 100, 70, 100, 7, 10, 0, 1, '[]', 1, 0, 'USD',
       now() + interval '1 hour', $7, 1
     from generate_series(1, $2::int) as n`,
    [
      input.round,
      input.members,
      flashIds.buyer,
      flashIds.buyerProgram,
      flashIds.publisherProgram,
      flashIds.agreement,
      itemId,
    ],
  );
  await client.query('analyze quotes');
  await client.query('analyze catalog_items');
  return { itemId };
}
