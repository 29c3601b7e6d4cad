// Switches that make the reference partner's transaction list disagree with what happened, one
// operation at a time, so reconciliation meets each kind of break for real: an operation left out
// of the list, listed with another amount or another status, or listed twice. The books themselves
// never change; only what the list reports. And how long its pages are: the contract allows any
// length up to 5,000, so a shorter page must not read as the end of the list.

export type ReportQuirk = 'drop' | 'change_amount' | 'change_status' | 'duplicate';

export interface ListedOperation {
  key: string;
  points: bigint;
  status: string;
}

const otherStatus: Record<string, string> = {
  reserved: 'voided',
  posted: 'voided',
  voided: 'posted',
  expired: 'posted',
  credited: 'reversed',
  reversed: 'credited',
};

export function createReportQuirks() {
  const quirks = new Map<string, ReportQuirk>();
  let pageSize = 5_000;
  return {
    /** Pages of at most `size` operations (5,000 when not set). */
    setPageSize(size: number): void {
      pageSize = size;
    },
    get pageSize(): number {
      return pageSize;
    },
    set(key: string, quirk: ReportQuirk): void {
      quirks.set(key, quirk);
    },
    clear(): void {
      quirks.clear();
      pageSize = 5_000;
    },
    pending(): { key: string; quirk: ReportQuirk }[] {
      return [...quirks].map(([key, quirk]) => ({ key, quirk }));
    },
    /** The list as this partner reports it, each quirk applied to its operation. */
    apply<T extends ListedOperation>(operations: readonly T[]): T[] {
      return operations.flatMap((operation) => {
        switch (quirks.get(operation.key)) {
          case 'drop':
            return [];
          case 'change_amount':
            return [{ ...operation, points: operation.points + 1n }];
          case 'change_status':
            return [{ ...operation, status: otherStatus[operation.status] ?? 'unknown' }];
          case 'duplicate':
            return [operation, operation];
          default:
            return [operation];
        }
      });
    },
  };
}

export type ReportQuirks = ReturnType<typeof createReportQuirks>;
