// A plot's period from its page's query: from and to as UTC days (YYYY-MM-DD, both included),
// by default the last `defaultDays` days up to today. Anything else given falls back to the default.
import type { Period } from '../../services/console-plots.ts';

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;
const daysMax = 366;

function dayStart(given: string | undefined): Date | null {
  if (!given || !dayPattern.test(given)) return null;
  const at = new Date(`${given}T00:00:00Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);

export function periodFrom(
  query: { from?: string | undefined; to?: string | undefined },
  now: Date,
  defaultDays: number,
): Period & { fromDay: string; toDay: string } {
  const today = new Date(Math.floor(now.getTime() / dayMs) * dayMs);
  const lastDay = dayStart(query.to) ?? today;
  let firstDay = dayStart(query.from) ?? new Date(lastDay.getTime() - (defaultDays - 1) * dayMs);
  if (firstDay > lastDay || lastDay.getTime() - firstDay.getTime() >= daysMax * dayMs) {
    firstDay = new Date(lastDay.getTime() - (defaultDays - 1) * dayMs);
  }
  return {
    from: firstDay,
    to: new Date(lastDay.getTime() + dayMs),
    fromDay: dayOf(firstDay),
    toDay: dayOf(lastDay),
  };
}
