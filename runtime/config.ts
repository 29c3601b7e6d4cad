// Configuration from the environment, validated once at start-up so that a wrong value stops the
// process with a message naming the variable, instead of failing later on a money path.
import { z } from 'zod';
import { quoteLifetimeMaxSeconds } from '../domain/arbitrage.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInteger = z.coerce.number().int().positive();

/** A JSON Web Key Set given inline as JSON text. Key material is checked where it is imported. */
const jwksText = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'is not valid JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.object({
      keys: z.array(z.record(z.string(), z.unknown()).and(z.object({ kid: z.string().min(1) }))).min(1),
    }),
  );

const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    /** Where local state lives: the embedded database, the Temporal dev server's file, demo keys. */
    DATA_DIR: z.string().min(1).default('.data'),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATABASE_POOL_SIZE_MAX: positiveInteger.max(200).default(20),
    /** Off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21). */
    DATABASE_PREPARED_STATEMENTS: z.stringbool().default(true),
    EMBEDDED_POSTGRES_PORT: port.default(54329),
    TEMPORAL_ADDRESS: z
      .string()
      .regex(/^[^:\s]+:\d+$/, 'must be host:port')
      .optional(),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('alliance'),
    TEMPORAL_CLI_PATH: z.string().min(1).optional(),
    TEMPORAL_DEV_SERVER_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /** The Temporal UI's address, for the console's links to workflows (npm start sets its own). */
    TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** The audience every signed request must name: this gateway, whatever host it is reached at. */
    GATEWAY_AUDIENCE: z.string().min(1).default('points-alliance-gateway'),
    /** The gateway's own private signing keys (JWKS JSON). The first is used to sign. */
    GATEWAY_PRIVATE_JWKS: jwksText.optional(),
    /** The operator's public keys (JWKS JSON): operator endpoints accept only requests they verify. */
    OPERATOR_PUBLIC_JWKS: jwksText.optional(),
    /** The finance team's public keys (JWKS JSON): /v1/finance endpoints accept only requests they verify. */
    FINANCE_PUBLIC_JWKS: jwksText.optional(),
    REQUEST_BODY_SIZE_MAX_BYTES: positiveInteger.max(10 * 1024 * 1024).default(256 * 1024),
    SIGNED_REQUEST_LIFETIME_MAX_SECONDS: positiveInteger.max(300).default(300),
    SIGNED_REQUEST_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
    IDEMPOTENCY_LOCK_SECONDS: positiveInteger.max(3600).default(10),
    IDEMPOTENCY_RETENTION_HOURS: positiveInteger.max(24 * 90).default(72),
    QUOTE_LIFETIME_SECONDS: positiveInteger.max(quoteLifetimeMaxSeconds).default(60),
    COOLING_OFF_HOURS: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 90)
      .default(24),
    COOLING_OFF_CAP_SOURCE_POINTS: positiveInteger.default(1_000),
    /** One call to a partner's system; a slower answer is a timeout, and the step is retried or asked about. */
    PARTNER_CALL_TIMEOUT_MS: positiveInteger.max(120_000).default(5_000),
    TRANSFER_STEP_TOTAL_SECONDS: positiveInteger.max(86_400).default(120),
    TRANSFER_SETTLE_TOTAL_HOURS: positiveInteger.max(24 * 30).default(72),
    RESERVATION_TTL_MINUTES: positiveInteger.max(24 * 60).default(30),
    WEBHOOK_RETRY_TOTAL_HOURS: positiveInteger.max(24 * 7).default(24),
    /** How often the sweep starts transfers accepted but never started (a crash, Temporal unreachable). */
    STRANDED_TRANSFER_SWEEP_SECONDS: positiveInteger.max(3600).default(60),
    /** How long a pending transfer must be untouched before the sweep counts it as stranded. */
    STRANDED_TRANSFER_AGE_SECONDS: positiveInteger.max(3600).default(30),
    /** Settlement cycles close every day, week (Mondays) or month (the 1st) at the cut-off, local to the zone. */
    SETTLEMENT_CADENCE: z.enum(['daily', 'weekly', 'monthly']).default('daily'),
    SETTLEMENT_CUTOFF: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
      .default('00:00'),
    SETTLEMENT_TIME_ZONE: z
      .string()
      .refine(
        (zone) => Intl.supportedValuesOf('timeZone').includes(zone) || zone === 'UTC',
        'must be an IANA time zone',
      )
      .default('Asia/Shanghai'),
    /** How long POST /v1/finance/settlement/cycles waits for the close it starts. */
    SETTLEMENT_CLOSE_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
    /** How far the clocks of the gateway and a partner may differ: items this close to a period's edge still match. */
    RECONCILIATION_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** When the daily reconciliation of the day before runs, local to SETTLEMENT_TIME_ZONE. */
    RECONCILIATION_DAILY_AT: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
      .default('02:00'),
    /** How often the conservation monitor checks the ledger, the obligations and the reservations. */
    CONSERVATION_CHECK_EVERY_SECONDS: positiveInteger.max(86_400).default(300),
    /** How long past its expiry a hosted reservation may stay pending (the housekeeping voids it) before it counts. */
    CONSERVATION_RESERVATION_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Where a failed conservation check is POSTed, signed by the gateway (aud `operator`); none: logged only. */
    OPERATOR_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** How often coupons past their end expire and the refunds their items promise start. */
    COUPON_EXPIRY_EVERY_SECONDS: positiveInteger.max(86_400).default(300),
    /** How often hosted points past their end expire and expiry reminders are sent. */
    POINTS_EXPIRY_EVERY_SECONDS: positiveInteger.max(86_400).default(300),
    /** How often the catalog sync reads the feeds of partners that run their own catalog. */
    CATALOG_SYNC_EVERY_SECONDS: positiveInteger.max(86_400).default(900),
    /** How often expired points-payment authorizations are voided and stranded payment operations started. */
    POINTS_PAYMENT_SWEEP_SECONDS: positiveInteger.max(86_400).default(60),
    /** How long POST /v1/transfers waits for the outcome before answering with the current state. */
    TRANSFER_REPLY_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(3_000),
    /** `npm start` also runs the partner sandbox: a second alliance with its own database, keys and port. */
    SANDBOX_ENABLED: z.stringbool().default(true),
    SANDBOX_PORT: port.default(3001),
    /** The audience sandbox requests name; a token for the live gateway is refused there, and the reverse. */
    SANDBOX_AUDIENCE: z.string().min(1).default('points-alliance-sandbox'),
    /** The sandbox's workflows run in a namespace of their own, so their ids never meet live ones. */
    SANDBOX_TEMPORAL_NAMESPACE: z.string().min(1).default('sandbox'),
    /** The bearer token a scrape of /metrics must send (gateway and worker); none: no token asked. */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** The worker serves its own /metrics on this port, at HOST (0: not served). */
    WORKER_METRICS_PORT: port.default(9464),
  })
  // The sandbox's isolation rests on these differing: a shared audience would let a token signed for
  // one be accepted by the other, a shared namespace would let their workflow ids meet.
  .superRefine((config, context) => {
    if (config.SANDBOX_AUDIENCE === config.GATEWAY_AUDIENCE)
      context.addIssue({
        code: 'custom',
        path: ['SANDBOX_AUDIENCE'],
        message: 'must differ from GATEWAY_AUDIENCE',
      });
    if (config.SANDBOX_TEMPORAL_NAMESPACE === config.TEMPORAL_NAMESPACE)
      context.addIssue({
        code: 'custom',
        path: ['SANDBOX_TEMPORAL_NAMESPACE'],
        message: 'must differ from TEMPORAL_NAMESPACE',
      });
    if (config.SANDBOX_ENABLED && config.SANDBOX_PORT !== 0 && config.SANDBOX_PORT === config.PORT)
      context.addIssue({ code: 'custom', path: ['SANDBOX_PORT'], message: 'must differ from PORT' });
    // A transfer lets a hold go that is too short for its credit and post (workflows/transfer.workflow.ts):
    // a hold shorter than one credit's budget would fail every transfer.
    const creditBudgetMs =
      config.TRANSFER_STEP_TOTAL_SECONDS * 1_000 + config.PARTNER_CALL_TIMEOUT_MS + 1_000;
    if (config.RESERVATION_TTL_MINUTES * 60_000 <= 2 * creditBudgetMs)
      context.addIssue({
        code: 'custom',
        path: ['RESERVATION_TTL_MINUTES'],
        message: 'must be more than twice TRANSFER_STEP_TOTAL_SECONDS plus PARTNER_CALL_TIMEOUT_MS',
      });
  });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the configuration; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = ConfigSchema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const given = issue.path[0] === undefined ? undefined : present[String(issue.path[0])];
      const shown = given === undefined || name.includes('JWKS') ? '' : ` (got ${JSON.stringify(given)})`;
      return `${name}: ${issue.message}${shown}`;
    }),
  );
}

/** The transfer workflow's time budgets, from the configuration. */
export function transferTimeouts(config: Config) {
  return {
    stepAttemptMs: config.PARTNER_CALL_TIMEOUT_MS + 1_000,
    stepTotalMs: config.TRANSFER_STEP_TOTAL_SECONDS * 1_000,
    settleTotalMs: config.TRANSFER_SETTLE_TOTAL_HOURS * 3_600_000,
    reservationTtlMs: config.RESERVATION_TTL_MINUTES * 60_000,
    webhookTotalMs: config.WEBHOOK_RETRY_TOTAL_HOURS * 3_600_000,
  };
}

/** The stranded-transfer sweep a worker runs, from the configuration. */
export function strandedTransferSweep(config: Config) {
  return {
    timeouts: transferTimeouts(config),
    everySeconds: config.STRANDED_TRANSFER_SWEEP_SECONDS,
    untouchedSeconds: config.STRANDED_TRANSFER_AGE_SECONDS,
  };
}

/** The settlement Schedule's calendar, from the configuration. */
export function settlementCalendar(config: Config) {
  const [hour, minute] = config.SETTLEMENT_CUTOFF.split(':').map(Number);
  return {
    cadence: config.SETTLEMENT_CADENCE,
    hour: hour ?? 0,
    minute: minute ?? 0,
    timeZone: config.SETTLEMENT_TIME_ZONE,
  };
}

/** The daily reconciliation a worker runs, from the configuration. */
export function reconciliationPlan(config: Config) {
  const [hour, minute] = config.RECONCILIATION_DAILY_AT.split(':').map(Number);
  return {
    toleranceMs: config.RECONCILIATION_TOLERANCE_SECONDS * 1000,
    daily: { hour: hour ?? 2, minute: minute ?? 0, timeZone: config.SETTLEMENT_TIME_ZONE },
  };
}

/** The conservation monitor a worker runs, from the configuration. */
export function conservationMonitor(config: Config) {
  return {
    everySeconds: config.CONSERVATION_CHECK_EVERY_SECONDS,
    reservationGraceSeconds: config.CONSERVATION_RESERVATION_GRACE_SECONDS,
    operatorWebhookUrl: config.OPERATOR_WEBHOOK_URL ?? null,
  };
}

/** The coupon expiry a worker runs, from the configuration. */
export function couponExpiry(config: Config) {
  return { everySeconds: config.COUPON_EXPIRY_EVERY_SECONDS, timeouts: transferTimeouts(config) };
}

/** The points-payment sweep a worker runs, from the configuration. */
export function pointsPaymentSweep(config: Config) {
  return {
    everySeconds: config.POINTS_PAYMENT_SWEEP_SECONDS,
    untouchedSeconds: config.STRANDED_TRANSFER_AGE_SECONDS,
    timeouts: transferTimeouts(config),
  };
}

/** The points expiry a worker runs, from the configuration. */
export function pointsExpiry(config: Config) {
  return { everySeconds: config.POINTS_EXPIRY_EVERY_SECONDS };
}

/** The catalog sync a worker runs, from the configuration. */
export function catalogSync(config: Config) {
  return { everySeconds: config.CATALOG_SYNC_EVERY_SECONDS };
}
