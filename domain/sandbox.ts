// The partner sandbox's vocabulary: the stand-in brands whose reference systems play the other
// partners of the sandbox alliance, the rates they agree with every sandbox partner, and the faults
// a sandbox partner may arm at them (the reference partner's own switches, named the same).

export const sandboxStandInSlugs = ['airline', 'cinema'] as const;
export type SandboxStandInSlug = (typeof sandboxStandInSlugs)[number];

export interface SandboxStandInBrand {
  slug: SandboxStandInSlug;
  name: string;
  programName: string;
  unitName: string;
  /** `fromPoints:toPoints` of a sandbox partner's points into this brand's, and back. */
  rateIn: readonly [string, string];
  rateOut: readonly [string, string];
}

/**
 * Every cycle through the stand-ins loses points (the gateway refuses any other agreement): a cycle
 * of the sandbox alliance goes partner → stand-in → partner, and each such pair yields less than it
 * takes (0.7 × 1.2 = 0.84 through the airline, 0.5 × 1.8 = 0.9 through the cinema).
 */
export const sandboxStandInBrands: readonly SandboxStandInBrand[] = [
  {
    slug: 'airline',
    name: 'Sandbox Airways',
    programName: 'Sandbox Miles',
    unitName: 'miles',
    rateIn: ['10', '7'],
    rateOut: ['10', '12'],
  },
  {
    slug: 'cinema',
    name: 'Sandbox Cinema',
    programName: 'Sandbox Stars',
    unitName: 'stars',
    rateIn: ['10', '5'],
    rateOut: ['10', '18'],
  },
];

/** The partner-contract operations whose answers a sandbox partner may disturb at a stand-in. */
export const sandboxFaultOperations = ['reserve', 'post', 'void', 'credit', 'reverse', 'outcome'] as const;
export type SandboxFaultOperation = (typeof sandboxFaultOperations)[number];

export const sandboxFaultModes = ['fail_before', 'fail_after', 'hang_after', 'latency', 'refuse'] as const;
export type SandboxFaultMode = (typeof sandboxFaultModes)[number];

export interface SandboxFault {
  operation: SandboxFaultOperation;
  mode: SandboxFaultMode;
  /** How many calls of the operation it disturbs; then it is spent. */
  count: number;
  delayMs: number;
  /** The refusal code a `refuse` answers with. */
  code: string;
}

/** How many demo members each sandbox partner gets, and the points each starts with everywhere. */
export const sandboxDemoMembers = 2;
export const sandboxStartingPoints = 10_000n;
