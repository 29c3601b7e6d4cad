// Request and response shapes of the partner sandbox: the credentials the operator issues, and the
// stand-in brands' fault switches a sandbox partner arms.
import { z } from '@hono/zod-openapi';
import {
  type SandboxFault,
  sandboxFaultModes,
  sandboxFaultOperations,
  sandboxStandInSlugs,
} from '../../domain/sandbox.ts';
import type { SandboxCredentials, StandInFaults } from '../../services/sandbox.ts';
import { httpUrl } from './common.ts';

export const SandboxCredentialsBody = z
  .object({
    webhookUrl: httpUrl(2000)
      .nullable()
      .optional()
      .openapi({ description: "Where the twin's sandbox webhooks go; null stops them; absent: as it was." }),
  })
  .strict()
  .openapi('SandboxCredentialsRequest');

const StandInSchema = z
  .object({
    slug: z.enum(sandboxStandInSlugs),
    name: z.string(),
    partnerId: z.string(),
    programId: z.string(),
    unitName: z.string(),
  })
  .openapi('SandboxStandIn', {
    description: 'A brand of the sandbox alliance played by a reference partner system with fault switches.',
  });

export const SandboxCredentialsSchema = z
  .object({
    sandboxBaseUrl: z.string().openapi({ example: 'http://127.0.0.1:3001' }),
    audience: z.string().openapi({
      example: 'points-alliance-sandbox',
      description: 'The `aud` of every request to the sandbox; the live gateway refuses it, and the reverse.',
    }),
    partnerId: z
      .string()
      .openapi({ description: "Your twin's id in the sandbox alliance: the `iss` there." }),
    programId: z.string().openapi({ description: "Your twin's programme, hosted in the sandbox's ledger." }),
    kid: z.string(),
    alg: z.string(),
    privateJwk: z.record(z.string(), z.unknown()).openapi({
      description:
        'The private key to sign sandbox requests with. Keep it: a repeat of this request with the same Idempotency-Key answers the same key, a new key issues another.',
    }),
    standIns: z.array(StandInSchema),
    members: z.array(z.object({ memberId: z.string(), accountRef: z.string() })).openapi({
      description:
        "Demo members linked to your twin's programme and to every stand-in's, with points in each.",
    }),
  })
  .openapi('SandboxCredentials');

export const SandboxFaultBody = z
  .object({
    standIn: z.enum(sandboxStandInSlugs).openapi({ description: 'Which stand-in brand misbehaves.' }),
    operation: z.enum(sandboxFaultOperations).openapi({
      description: "Which of the partner contract's calls to it (openapi/partner.json).",
    }),
    mode: z.enum(sandboxFaultModes).openapi({
      description: [
        '`fail_before`: answer 503 without doing anything.',
        '`fail_after`: do it, then answer 503 (the answer is lost; a retry gets the first answer).',
        '`hang_after`: do it, then hold the answer for delayMs (the gateway times out first).',
        '`latency`: wait delayMs, then do it and answer.',
        '`refuse`: refuse for good with `code` (422).',
      ].join(' '),
    }),
    count: z.number().int().min(1).max(100).default(1).openapi({
      description: 'How many calls of that operation it disturbs; then it is spent.',
    }),
    delayMs: z.number().int().min(0).max(60_000).default(0),
    code: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'a refusal code: lower-case letters, digits and _')
      .default('refused')
      .openapi({ example: 'account_closed', description: 'The refusal code a `refuse` answers with.' }),
  })
  .strict()
  // A stand-in's outcome answer can only be withheld (503): it has no effect to lose, delay or refuse.
  .refine((fault) => fault.operation !== 'outcome' || fault.mode === 'fail_before', {
    path: ['mode'],
    message: 'an outcome fault is fail_before only',
  })
  .openapi('SandboxFault');

const FaultView = z.object({
  operation: z.enum(sandboxFaultOperations),
  mode: z.enum(sandboxFaultModes),
  count: z.number().int().openapi({ description: 'Calls left to disturb.' }),
  delayMs: z.number().int(),
  code: z.string(),
});

export const StandInFaultsSchema = z
  .object({ standIn: StandInSchema, faults: z.array(FaultView) })
  .openapi('SandboxStandInFaults');

export const SandboxFaultsSchema = z
  .object({ standIns: z.array(StandInFaultsSchema) })
  .openapi('SandboxFaults');

export function credentialsView(credentials: SandboxCredentials): z.infer<typeof SandboxCredentialsSchema> {
  return { ...credentials, privateJwk: { ...credentials.privateJwk } };
}

export function standInFaultsView(entry: StandInFaults): z.infer<typeof StandInFaultsSchema> {
  return {
    standIn: { ...entry.standIn },
    faults: entry.faults.map((fault: SandboxFault) => ({ ...fault })),
  };
}
