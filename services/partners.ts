// The partner-registry use case: the operator onboards a partner with its programmes and keys,
// rotates its keys (never retiring the last active one), says where its webhooks go, and suspends or
// resumes it; a partner reads its own profile.

import type { JWK } from 'jose';
import { ProblemError } from '../domain/errors.ts';
import { checkPublicJwk } from '../signing/keys.ts';
import { deletePartnerConsoleSessions } from '../store/console-users.ts';
import type { PartnerStatus } from '../store/database.ts';
import { listExposureCaps, setExposureCap } from '../store/exposure.ts';
import {
  createPartner,
  findPartner,
  insertPartnerKey,
  lockPartnerKeys,
  markKeyRetired,
  type NewPartnerInput,
  type PartnerRecord,
  updatePartnerStatus,
  updateWebhookUrl,
} from '../store/partners.ts';
import { inTransaction } from '../store/transaction.ts';
import type { ServiceContext } from './context.ts';

type CheckedKey = JWK & { kid: string; alg: string };

/** Checks public keys as given; each refusal names its field (`keys.0`, or `jwk` for one key). */
export async function checkedKeys(
  keys: readonly Record<string, unknown>[],
  field: string,
): Promise<CheckedKey[]> {
  const checked = await Promise.all(keys.map((key) => checkPublicJwk(key)));
  const fieldErrors = checked.flatMap((result, index) =>
    result.ok
      ? []
      : [
          {
            field: keys.length === 1 && field === 'jwk' ? field : `${field}.${index}`,
            message: result.reason,
          },
        ],
  );
  if (fieldErrors.length > 0)
    throw new ProblemError('partner_key_invalid', 'A public key is not usable.', fieldErrors);
  const jwks = checked.flatMap((result) => (result.ok ? [result.jwk] : []));
  const kids = jwks.map((jwk) => jwk.kid);
  if (new Set(kids).size !== kids.length) {
    throw new ProblemError('validation_failed', 'Two keys share a kid.', [
      { field, message: 'kid values must be unique' },
    ]);
  }
  return jwks;
}

export async function readPartner({ db }: ServiceContext, partnerId: string): Promise<PartnerRecord> {
  const record = await findPartner(db, partnerId);
  if (!record) throw new ProblemError('not_found', `partner ${partnerId} does not exist`);
  return record;
}

/**
 * The operator moves a partner's webhooks to another URL (or stops them, null): the operator, not the
 * partner, since the gateway's worker calls whatever URL is set (a partner's own choice could aim it at
 * the gateway's private network). Deliveries still being retried go to the new URL from their next
 * attempt; events queued while it had none are not made up.
 */
export async function setPartnerWebhookUrl(
  context: ServiceContext,
  input: { partnerId: string; webhookUrl: string | null },
): Promise<PartnerRecord> {
  if (!(await updateWebhookUrl(context.db, input.partnerId, input.webhookUrl)))
    throw new ProblemError('not_found', `partner ${input.partnerId} does not exist`);
  return readPartner(context, input.partnerId);
}

export async function onboardPartner(
  context: ServiceContext,
  input: Omit<NewPartnerInput, 'keys'> & { keys: readonly Record<string, unknown>[] },
): Promise<PartnerRecord> {
  return createPartner(context.db, { ...input, keys: await checkedKeys(input.keys, 'keys') });
}

export async function addPartnerKey(
  context: ServiceContext,
  partnerId: string,
  key: Record<string, unknown>,
): Promise<PartnerRecord> {
  const [jwk] = await checkedKeys([key], 'jwk');
  if (!jwk) throw new Error('checkedKeys returned no key for one input');
  await readPartner(context, partnerId);
  if (!(await insertPartnerKey(context.db, partnerId, jwk))) {
    throw new ProblemError(
      'partner_key_exists',
      `partner ${partnerId} already has a key with kid ${jwk.kid}`,
      [{ field: 'jwk.kid', message: 'already registered' }],
    );
  }
  return readPartner(context, partnerId);
}

/**
 * Retires a key: requests signed with it are refused from now on. The partner's last active key
 * cannot be retired, so that a rotation done in the wrong order never locks a partner out.
 */
export async function retirePartnerKey(
  context: ServiceContext,
  partnerId: string,
  kid: string,
): Promise<PartnerRecord> {
  await inTransaction(context.db, async (trx) => {
    // The partner row is locked, so that two concurrent retirements cannot both pass the last-key check.
    const keys = await lockPartnerKeys(trx, partnerId);
    if (!keys) throw new ProblemError('not_found', `partner ${partnerId} does not exist`);
    const key = keys.find((candidate) => candidate.kid === kid);
    if (!key) throw new ProblemError('not_found', `partner ${partnerId} has no key ${kid}`);
    if (key.status === 'retired') return;
    if (keys.filter((candidate) => candidate.status === 'active').length === 1) {
      throw new ProblemError(
        'partner_key_last_active',
        `key ${kid} is the last active key of partner ${partnerId}`,
      );
    }
    await markKeyRetired(trx, partnerId, kid, new Date());
  });
  return readPartner(context, partnerId);
}

export async function setPartnerStatus(
  context: ServiceContext,
  partnerId: string,
  status: PartnerStatus,
): Promise<PartnerRecord> {
  if (!(await updatePartnerStatus(context.db, partnerId, status))) {
    throw new ProblemError('not_found', `partner ${partnerId} does not exist`);
  }
  // Its console users stand for its signature: signed out for good, not just hidden while suspended.
  if (status === 'suspended') await deletePartnerConsoleSessions(context.db, partnerId);
  return readPartner(context, partnerId);
}

/** The operator caps what a partner may owe, net and unsettled, in one currency. */
export async function setPartnerExposureCap(
  context: ServiceContext,
  input: { partnerId: string; currency: string; capMinor: bigint },
) {
  await readPartner(context, input.partnerId);
  await setExposureCap(context.db, input);
  return listExposureCaps(context.db, input.partnerId);
}
