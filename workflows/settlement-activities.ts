// The settlement close's I/O: the use cases of services/settlement.ts, run as activities.
import type { ServiceContext } from '../services/context.ts';
import { netCycle, sealCycle } from '../services/settlement.ts';

export function createSettlementActivities(context: ServiceContext) {
  return {
    /** Seals the open cycle under the label (or finds the cycle that has it); its id. */
    async sealSettlementCycle(periodLabel: string): Promise<string> {
      return (await sealCycle(context, { periodLabel, now: new Date() })).id;
    },
    /** Nets the sealed cycle into positions and instructions, once. */
    async netSettlementCycle(cycleId: string): Promise<void> {
      await netCycle(context, cycleId);
    },
  };
}

export type SettlementActivities = ReturnType<typeof createSettlementActivities>;
