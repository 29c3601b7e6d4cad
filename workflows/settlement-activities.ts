// The settlement close's I/O: the use cases of services/settlement.ts, run as activities.
import type { ServiceContext } from '../services/context.ts';
import { netCycle, sealCycle } from '../services/settlement.ts';
import { signDocument } from '../signing/documents.ts';
import type { SigningKeyPair } from '../signing/keys.ts';

/** The gateway's key signs each partner's statement as the close issues it. */
export function createSettlementActivities(context: ServiceContext, gatewayKey: SigningKeyPair) {
  const sign = (document: unknown) => signDocument(gatewayKey, document);
  return {
    /** Seals the open cycle under the label (or finds the cycle that has it); its id. */
    async sealSettlementCycle(periodLabel: string): Promise<string> {
      return (await sealCycle(context, { periodLabel, now: new Date() })).id;
    },
    /** Nets the sealed cycle into positions and instructions and issues its statements, once. */
    async netSettlementCycle(cycleId: string): Promise<void> {
      await netCycle(context, { cycleId, sign });
    },
  };
}

export type SettlementActivities = ReturnType<typeof createSettlementActivities>;
