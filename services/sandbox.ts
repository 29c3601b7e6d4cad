// The partner sandbox's use cases. On the live gateway, the operator issues a partner credentials
// for its twin in the sandbox alliance, through the provisioner the gateway is given (none: no
// sandbox runs, and the answer says so). On the sandbox gateway, a partner arms the stand-in brands'
// fault switches. The sandbox itself (its database, servers and stand-ins) is made by sandbox/.
import type { JWK } from 'jose';
import { ProblemError } from '../domain/errors.ts';
import type { SandboxFault, SandboxStandInSlug } from '../domain/sandbox.ts';
import type { ServiceContext } from './context.ts';
import { readPartner } from './partners.ts';

export interface SandboxStandIn {
  slug: SandboxStandInSlug;
  name: string;
  partnerId: string;
  programId: string;
  unitName: string;
}

export interface SandboxCredentials {
  sandboxBaseUrl: string;
  /** The audience sandbox requests name: a token for the live gateway is refused there. */
  audience: string;
  /** The twin's id in the sandbox alliance (not the live partner's). */
  partnerId: string;
  /** The twin's programme, hosted in the sandbox's own ledger. */
  programId: string;
  kid: string;
  alg: string;
  privateJwk: JWK;
  standIns: SandboxStandIn[];
  /** Demo members linked to the twin's programme and to every stand-in's, with points in each. */
  members: { memberId: string; accountRef: string }[];
}

export interface LivePartnerOutline {
  id: string;
  name: string;
  /** The twin's programme takes the first programme's name and unit. */
  program: { name: string; unitName: string } | null;
}

/**
 * Reaches the sandbox from the live gateway, in process. The same live partner and request key give
 * the same credentials: the key pair is derived from them, so a request retried after a crash (its
 * answer not yet stored) is answered alike, and its effects in the sandbox are not made twice.
 */
export interface SandboxProvisioner {
  issueCredentials(input: {
    livePartner: LivePartnerOutline;
    requestKey: string;
    /** Where the twin's webhooks go (null: none); undefined leaves it as it is. */
    webhookUrl?: string | null;
  }): Promise<SandboxCredentials>;
}

/**
 * The stand-in brands' fault switches, as the sandbox gateway reaches them. The stand-ins serve
 * every sandbox partner, so a partner's faults disturb calls for its own members only, and it sees
 * and clears only its own.
 */
export interface SandboxFaultSwitches {
  standIns(): readonly SandboxStandIn[];
  arm(partnerId: string, standIn: SandboxStandInSlug, fault: SandboxFault): void;
  pending(partnerId: string, standIn: SandboxStandInSlug): SandboxFault[];
  clear(partnerId: string): void;
}

/** The operator gives a live partner credentials for its twin in the sandbox. */
export async function issueSandboxCredentials(
  context: ServiceContext,
  provisioner: SandboxProvisioner | undefined,
  input: { partnerId: string; requestKey: string; webhookUrl?: string | null },
): Promise<SandboxCredentials> {
  if (!provisioner)
    // Not a passing outage: this deployment has no sandbox, so a retry would never succeed.
    throw new ProblemError('sandbox_not_enabled', 'This gateway runs without a partner sandbox.');
  const { partner, programs } = await readPartner(context, input.partnerId);
  if (partner.status !== 'active') {
    throw new ProblemError(
      'partner_not_active',
      `Partner ${partner.id} is suspended: its sandbox credentials are not issued until it is resumed.`,
    );
  }
  const first = programs[0];
  const livePartner: LivePartnerOutline = {
    id: partner.id,
    name: partner.name,
    program: first ? { name: first.name, unitName: first.unit_name } : null,
  };
  try {
    return await provisioner.issueCredentials({
      livePartner,
      requestKey: input.requestKey,
      ...(input.webhookUrl === undefined ? {} : { webhookUrl: input.webhookUrl }),
    });
  } catch (error) {
    if (error instanceof ProblemError) throw error;
    const problem = new ProblemError(
      'sandbox_unavailable',
      'The partner sandbox did not answer; retry with the same Idempotency-Key.',
    );
    throw Object.assign(problem, { cause: error });
  }
}

export interface StandInFaults {
  standIn: SandboxStandIn;
  faults: SandboxFault[];
}

export function listSandboxFaults(switches: SandboxFaultSwitches, partnerId: string): StandInFaults[] {
  return switches
    .standIns()
    .map((standIn) => ({ standIn, faults: switches.pending(partnerId, standIn.slug) }));
}

/**
 * Arms a fault at a stand-in: its next calls of that operation for the partner's members misbehave,
 * then it is spent.
 */
export function armSandboxFault(
  switches: SandboxFaultSwitches,
  input: { partnerId: string; standIn: SandboxStandInSlug; fault: SandboxFault },
): StandInFaults {
  const standIn = switches.standIns().find((candidate) => candidate.slug === input.standIn);
  if (!standIn) throw new ProblemError('not_found', `the sandbox has no stand-in ${input.standIn}`);
  switches.arm(input.partnerId, standIn.slug, input.fault);
  return { standIn, faults: switches.pending(input.partnerId, standIn.slug) };
}

export function clearSandboxFaults(switches: SandboxFaultSwitches, partnerId: string): void {
  switches.clear(partnerId);
}
