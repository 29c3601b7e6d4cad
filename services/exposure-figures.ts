// The figures of exposure that the metrics scrape shows: each partner's open exposure per currency.
import { readOpenExposureByPartner } from '../store/exposure-figures.ts';
import type { ServiceContext } from './context.ts';

export interface OpenExposure {
  partnerId: string;
  currency: string;
  exposureMinor: bigint;
}

export async function openExposureByPartner(
  context: ServiceContext,
  timeoutMs: number,
): Promise<OpenExposure[]> {
  const rows = await readOpenExposureByPartner(context.db, timeoutMs);
  return rows.map((row) => ({
    partnerId: row.partner_id,
    currency: row.currency,
    exposureMinor: row.exposure_minor,
  }));
}
