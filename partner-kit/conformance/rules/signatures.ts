// The gateway's signature is what stands between a member's points and anyone who can reach the
// partner's URL: a call that is unsigned, signed with a key the gateway does not publish, or signed
// for another request must be refused (401 or 403) and must move nothing.
import { generateSigningKeyPair } from '../../../signing/keys.ts';
import {
  type Balance,
  type ConformanceRule,
  check,
  conformanceReason,
  describeBalance,
  type RuleContext,
  sameBalance,
} from '../rule.ts';
import { describeWireAnswer, type WireAnswer } from '../wire.ts';

const refusedBySignature = (answer: WireAnswer) => answer.status === 401 || answer.status === 403;

interface CreditAttempt {
  /** How the attempt reads in the rule's line. */
  label: string;
  /** The Authorization header for a credit with this body; undefined: none. */
  authorization(body: CreditRequest): Promise<string | undefined>;
  /** The body sent, when it is not the one signed. */
  sent?(body: CreditRequest): CreditRequest;
}

interface CreditRequest {
  key: string;
  accountRef: string;
  points: string;
  reason: string;
}

/** Sends each credit attempt; any that was accepted is taken back, so the account is left as found. */
async function attemptCredits(context: RuleContext, attempts: CreditAttempt[]) {
  const before = await context.balance();
  const seen: string[] = [];
  const accepted: string[] = [];
  for (const [index, attempt] of attempts.entries()) {
    const signed = {
      key: context.key(`credit-${index + 1}`),
      accountRef: context.accountRef,
      points: '7',
      reason: conformanceReason,
    };
    const authorization = await attempt.authorization(signed);
    const body = attempt.sent?.(signed) ?? signed;
    const answer = await context.wire.send({
      method: 'POST',
      path: '/loyalty/credits',
      body,
      idempotencyKey: body.key,
      ...(authorization === undefined ? {} : { authorization }),
    });
    seen.push(`${attempt.label}: ${describeWireAnswer(answer)}`);
    if (!refusedBySignature(answer)) accepted.push(attempt.label);
    if (answer.status >= 200 && answer.status < 300) {
      await context.partner.reverseCredit({
        key: context.key(`undo-${index + 1}`),
        creditKey: body.key,
        points: BigInt(body.points),
        reason: conformanceReason,
      });
    }
  }
  return { before, seen, accepted };
}

function verdict(
  input: { before: Balance; seen: string[]; accepted: string[] },
  after: Balance,
  movedMeanwhile: string,
) {
  const unchanged = sameBalance(input.before, after);
  const seen = input.seen.join('; ');
  check(
    input.accepted.length === 0,
    `${seen}: expected 401 or 403 for ${input.accepted.join(', ')}${unchanged ? '' : movedMeanwhile}`,
  );
  check(
    unchanged,
    `${seen}; yet the balance moved: ${describeBalance(input.before)} → ${describeBalance(after)}`,
  );
  return `${seen}; balance unchanged`;
}

export const signatureRules: ConformanceRule[] = [
  {
    name: 'signature.unsigned_refused',
    title: 'A call without the gateway’s signature is refused (401/403) and moves nothing.',
    async run(context) {
      const attempt = await attemptCredits(context, [
        { label: 'unsigned credit', authorization: async () => undefined },
      ]);
      const read = await context.wire.send({
        method: 'GET',
        path: `/loyalty/accounts/${encodeURIComponent(context.accountRef)}`,
      });
      attempt.seen.push(`unsigned balance read: ${describeWireAnswer(read)}`);
      if (!refusedBySignature(read)) attempt.accepted.push('unsigned balance read');
      return verdict(attempt, await context.balance(), ' (the unsigned credit was taken back)');
    },
  },
  {
    name: 'signature.unknown_key_refused',
    title:
      'A call signed with a key the gateway does not publish is refused (401/403), whatever kid it names.',
    async run(context) {
      const stranger = await generateSigningKeyPair('ES256');
      const tokenFor = (body: CreditRequest, kid?: string) =>
        context.wire.token({
          key: stranger,
          ...(kid ? { kid } : {}),
          issuer: context.gateway.issuer,
          audience: context.partnerId,
          method: 'POST',
          path: '/loyalty/credits',
          body,
        });
      const attempt = await attemptCredits(context, [
        {
          label: 'credit signed with an unknown key',
          authorization: async (body) => `Bearer ${await tokenFor(body)}`,
        },
        {
          label: "credit signed with another key under the gateway's kid",
          authorization: async (body) => `Bearer ${await tokenFor(body, context.gateway.key.kid)}`,
        },
      ]);
      return verdict(attempt, await context.balance(), ' (the credits were taken back)');
    },
  },
  {
    name: 'signature.bound_to_request',
    title:
      'A token signed by the gateway is refused for another body, for another partner, and once expired.',
    async run(context) {
      const gatewayToken = async (
        body: CreditRequest,
        overrides: { audience?: string; nowSeconds?: number },
      ) =>
        `Bearer ${await context.wire.token({
          key: context.gateway.key,
          issuer: context.gateway.issuer,
          audience: overrides.audience ?? context.partnerId,
          method: 'POST',
          path: '/loyalty/credits',
          body,
          ...(overrides.nowSeconds === undefined ? {} : { nowSeconds: overrides.nowSeconds }),
        })}`;
      const attempt = await attemptCredits(context, [
        {
          label: 'token for 7 points sent with 7000',
          authorization: (body) => gatewayToken(body, {}),
          sent: (body) => ({ ...body, points: '7000' }),
        },
        {
          label: 'token for another partner',
          authorization: (body) => gatewayToken(body, { audience: `${context.partnerId}-elsewhere` }),
        },
        {
          label: 'token expired an hour ago',
          authorization: (body) => gatewayToken(body, { nowSeconds: Math.floor(Date.now() / 1000) - 3_600 }),
        },
      ]);
      return verdict(attempt, await context.balance(), ' (the credits were taken back)');
    },
  },
];
