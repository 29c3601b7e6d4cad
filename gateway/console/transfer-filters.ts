// The transfer list's filters, read from the page's query: state, a partner the transfers touch,
// a member, and the days they were created in (UTC, both included). Anything malformed is dropped,
// not refused: a filter form typed into by hand shows the unfiltered list rather than an error.
import { html } from 'hono/html';
import type { TransferStatus } from '../../store/database.ts';
import type { Html } from './layout.ts';

export const transferStates: readonly TransferStatus[] = [
  'pending',
  'reserved',
  'credited',
  'completed',
  'failed',
  'needs_attention',
];
const transferIdPattern = /^trf_[0-9a-z]{26}$/;
const partnerIdPattern = /^ptn_[0-9a-z]{26}$/;
const memberIdPattern = /^mbr_[0-9a-z]{26}$/;
const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;

export interface TransferFilters {
  state: TransferStatus | null;
  partner: string | null;
  member: string | null;
  fromDay: string | null;
  toDay: string | null;
  /** The start of `fromDay`, and the end of `toDay` (the next day's start). */
  from: Date | null;
  to: Date | null;
  before: string | null;
}

function day(given: string | undefined): { day: string; start: Date } | null {
  if (!given || !dayPattern.test(given)) return null;
  const start = new Date(`${given}T00:00:00Z`);
  return Number.isNaN(start.getTime()) ? null : { day: given, start };
}

const matching = (given: string | undefined, pattern: RegExp): string | null => {
  const trimmed = given?.trim();
  return trimmed && pattern.test(trimmed) ? trimmed : null;
};

export function transferFilters(query: Record<string, string | undefined>): TransferFilters {
  const from = day(query.from);
  const to = day(query.to);
  return {
    state: transferStates.find((candidate) => candidate === query.state) ?? null,
    partner: matching(query.partner, partnerIdPattern),
    member: matching(query.member, memberIdPattern),
    fromDay: from?.day ?? null,
    toDay: to?.day ?? null,
    from: from?.start ?? null,
    to: to ? new Date(to.start.getTime() + dayMs) : null,
    before: matching(query.before, transferIdPattern),
  };
}

/** The filters as a query string, for the next page's link. */
export function filterQuery(filters: TransferFilters): string {
  const fields: [string, string | null][] = [
    ['state', filters.state],
    ['partner', filters.partner],
    ['member', filters.member],
    ['from', filters.fromDay],
    ['to', filters.toDay],
    ['before', filters.before],
  ];
  return new URLSearchParams(
    fields.filter((field): field is [string, string] => field[1] !== null),
  ).toString();
}

/** The filter form; the partner list only for a viewer of the whole alliance (empty otherwise). */
export function filterForm(filters: TransferFilters, partners: { id: string; name: string }[]): Html {
  const selected = (yes: boolean) => (yes ? 'selected' : '');
  return html`<form method="get" action="/console/transfers" class="filter">
    <label>State <select name="state">
      <option value="">any</option>
      ${transferStates.map((state) => html`<option value="${state}" ${selected(state === filters.state)}>${state}</option>`)}
    </select></label>
    ${
      partners.length > 0
        ? html`<label>Partner <select name="partner">
            <option value="">any</option>
            ${partners.map((partner) => html`<option value="${partner.id}" ${selected(partner.id === filters.partner)}>${partner.name}</option>`)}
          </select></label>`
        : ''
    }
    <label>Member <input name="member" value="${filters.member ?? ''}" placeholder="mbr_…" size="30" /></label>
    <label>From <input type="date" name="from" value="${filters.fromDay ?? ''}" /></label>
    <label>To <input type="date" name="to" value="${filters.toDay ?? ''}" /></label>
    <button type="submit">Filter</button>
  </form>`;
}
