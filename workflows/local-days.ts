// Calendar days in the alliance's time zone, for runs that cover "yesterday" there.
import type { ReconciliationPeriod } from '../domain/reconciliation.ts';

function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The instant a local calendar day starts in the zone (its offset read at that day's noon). */
function startOfLocalDay(date: string, timeZone: string): Date {
  const noon = new Date(`${date}T12:00:00Z`);
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(noon)
    .find((part) => part.type === 'timeZoneName')
    ?.value.replace('GMT', '');
  return new Date(`${date}T00:00:00${offset && offset !== '' ? offset : 'Z'}`);
}

/** The whole local day before the one `at` falls in. */
export function previousLocalDay(at: Date, timeZone: string): ReconciliationPeriod {
  const today = startOfLocalDay(localDate(at, timeZone), timeZone);
  const yesterday = startOfLocalDay(
    localDate(new Date(today.getTime() - 12 * 3_600_000), timeZone),
    timeZone,
  );
  return { from: yesterday, to: today };
}
