// One crash run, shared by test/chaos/crash.test.ts and `npm run chaos`: the alliance as separate
// processes, random partner faults, a load of quoted and inline transfers from a few lanes, SIGKILLs
// of the gateway and the worker while requests are in flight, every lost answer retried with its
// key, then a wait for every transfer to end and the checks.
import type { RestartableService } from '../../bench/lib/processes.ts';
import { type ChaosAlliance, startChaosAlliance } from './alliance.ts';
import {
  type CheckContext,
  type CheckResult,
  checkAnswers,
  checkBalancesAndHolds,
  checkEnded,
  checkOneTransferPerKey,
} from './checks.ts';
import { startFaultInjector } from './faults.ts';
import { type KillEvent, runKills } from './kills.ts';
import { type LoadProgress, planIntents, pollRunning, runLoad } from './load.ts';
import { listTransfers, readBalances, readLedgerCheck, waitUntilEnded } from './observe.ts';
import { createRandom } from './random.ts';
import { emptyRequestStats, type RequestStats } from './requests.ts';

export interface ChaosOptions {
  databaseUrl: string;
  temporalAddress: string;
  transfers: number;
  /** Requests in flight at once. */
  concurrency: number;
  kills: number;
  members: number;
  seed: number;
  /** One fault armed at a partner system every so often. */
  faultIntervalMs: number;
  /** How long one request may go unanswered (retried all along) before the run gives up on it. */
  answerTimeoutMs: number;
  /** How long transfers may take to end once the load is over. */
  settleDeadlineMs: number;
  progressEveryMs: number;
  log: (line: string) => void;
  /** Where the services' output is kept, to read after a failed run. */
  logDir?: string;
}

export interface ChaosReport {
  seed: number;
  transfersPlanned: { quoted: number; inline: number };
  requests: RequestStats;
  longestRecoveryMs: number;
  kills: KillEvent[];
  faultsArmed: Record<string, number>;
  durationsMs: { setUp: number; load: number; settle: number; total: number };
  checks: CheckResult[];
  ok: boolean;
  /** Where the services' output was kept, if anywhere. */
  logDir: string | null;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const startedAt = Date.now();
  const random = createRandom(options.seed);
  const alliance = await startChaosAlliance({
    databaseUrl: options.databaseUrl,
    temporalAddress: options.temporalAddress,
    members: options.members,
    seedPoints: 1_000_000n,
    connectionsMax: options.concurrency * 2,
    log: options.log,
    ...(options.logDir ? { logDir: options.logDir } : {}),
  });
  try {
    return await drive(alliance, options, random, startedAt);
  } finally {
    await alliance.stop();
  }
}

async function drive(
  alliance: ChaosAlliance,
  options: ChaosOptions,
  random: ReturnType<typeof createRandom>,
  startedAt: number,
): Promise<ChaosReport> {
  const intents = planIntents(
    random,
    options.transfers,
    alliance.members,
    `chaos-${options.seed}-${startedAt}`,
  );
  const stats = emptyRequestStats();
  const progress: LoadProgress = {
    started: 0,
    answered: 0,
    inFlight: 0,
    ended: new Map(),
    running: new Set(),
  };
  const kills: KillEvent[] = [];
  const loadStartedAt = Date.now();
  const setUpMs = loadStartedAt - startedAt;
  const systemUrls = Object.values(alliance.programs).flatMap((program) => program.systemUrl ?? []);
  const faults = startFaultInjector({
    systemUrls,
    random,
    intervalMs: options.faultIntervalMs,
    pendingMax: 4,
  });
  const poller = pollRunning(alliance, intents, progress, { intervalMs: 1_000, batch: 8 });
  const line = () =>
    `sent ${progress.started}/${options.transfers}, answered ${progress.answered}, ended ${progress.ended.size}, in flight ${progress.inFlight} | retries ${stats.retries} (lost: ${stats.lost.connection} connection, ${stats.lost.server_error} 5xx, ${stats.lost.in_progress} in progress) | kills ${kills.length}/${options.kills}`;
  const ticker = setInterval(() => options.log(line()), options.progressEveryMs);
  let loadOver = false;
  // A service that will not start again, or a gateway that answers nothing for answerTimeoutMs, ends
  // the load at once: nothing after it would mean anything.
  const killProblems: string[] = [];
  let lastAnswer = { count: 0, at: Date.now() };
  const watchdog = setInterval(() => {
    if (progress.answered !== lastAnswer.count) {
      lastAnswer = { count: progress.answered, at: Date.now() };
    } else if (Date.now() - lastAnswer.at > options.answerTimeoutMs && killProblems.length === 0) {
      killProblems.push(
        `no request was answered for ${options.answerTimeoutMs / 1_000} s; the gateway's last output:\n${alliance.gateway.current().recentOutput().slice(-3_000)}`,
      );
    }
  }, 1_000);
  try {
    await Promise.all([
      runLoad(alliance, intents, {
        concurrency: options.concurrency,
        answerTimeoutMs: options.answerTimeoutMs,
        stats,
        progress,
        aborted: () => killProblems.length > 0,
      }).finally(() => {
        loadOver = true;
      }),
      runKills(alliance, {
        kills: options.kills,
        total: options.transfers,
        progress,
        random,
        loadStartedAt,
        loadOver: () => loadOver,
        events: kills,
      }).catch((error: Error) => {
        killProblems.push(error.message);
      }),
    ]);
  } finally {
    clearInterval(ticker);
    clearInterval(watchdog);
    await poller.stop();
    await faults.stop();
  }
  options.log(line());
  const loadMs = Date.now() - loadStartedAt;
  if (killProblems.length > 0) return abandoned(options, kills, stats, killProblems, startedAt);
  killProblems.push(...(await ensureRunning(alliance.gateway)), ...(await ensureRunning(alliance.worker)));

  options.log('load over, faults disarmed; waiting for every transfer to end');
  const settleStartedAt = Date.now();
  const transfers = await listTransfers(alliance);
  let lastRound = 0;
  await waitUntilEnded(alliance, transfers, {
    deadlineAt: settleStartedAt + options.settleDeadlineMs,
    onRound: (running) => {
      if (Date.now() - lastRound < options.progressEveryMs) return;
      lastRound = Date.now();
      options.log(`${transfers.size - running}/${transfers.size} transfers ended`);
    },
  });
  for (const [id, transfer] of await listTransfers(alliance))
    if (!transfers.has(id) || transfers.get(id)?.status !== transfer.status) transfers.set(id, transfer);
  const settleMs = Date.now() - settleStartedAt;

  const context: CheckContext = {
    intents,
    transfers,
    programNames: new Map(
      Object.values(alliance.programs).map((program) => [program.programId, program.slug]),
    ),
  };
  const balances = await readBalances(alliance);
  const ledger = await readLedgerCheck(alliance);
  const checks: CheckResult[] = [
    {
      name: 'services killed, restarted and answering',
      ok: killProblems.length === 0 && kills.length === options.kills,
      summary: `${kills.length} of ${options.kills} kills done`,
      problems: killProblems,
    },
    checkAnswers(context),
    checkOneTransferPerKey(context),
    checkEnded(context),
    ...checkBalancesAndHolds({
      ...context,
      members: alliance.members,
      seedPoints: alliance.seedPoints,
      balances,
    }),
    {
      name: 'ledger sums to zero',
      ok: ledger.balanced,
      summary: `entries sum ${ledger.entriesSum}, ${ledger.accountsOutOfBalance.length} accounts out of balance`,
      problems: ledger.balanced ? [] : [`ledger check: ${JSON.stringify(ledger)}`],
    },
  ];
  const answers = intents.flatMap((intent) => [intent.quoteAnswer, intent.transferAnswer]);
  return {
    seed: options.seed,
    transfersPlanned: {
      quoted: intents.filter((intent) => intent.kind === 'quoted').length,
      inline: intents.filter((intent) => intent.kind === 'inline').length,
    },
    requests: stats,
    longestRecoveryMs: Math.max(0, ...answers.map((answer) => (answer?.status ? answer.recoveryMs : 0))),
    kills,
    faultsArmed: faults.armed,
    durationsMs: {
      setUp: setUpMs,
      load: loadMs,
      settle: settleMs,
      total: Date.now() - (loadStartedAt - setUpMs),
    },
    checks,
    ok: checks.every((check) => check.ok),
    logDir: options.logDir ?? null,
  };
}

/** A service that died on its own (not by a kill) is a finding; it is started again so the run can end. */
async function ensureRunning(service: RestartableService): Promise<string[]> {
  const child = service.current().child;
  if (child.exitCode === null && child.signalCode === null) return [];
  const output = service.current().recentOutput().slice(-2_000);
  await service.start();
  return [
    `${service.name} exited by itself (${child.exitCode ?? child.signalCode}); its last output:\n${output}`,
  ];
}

/** The report of a run stopped because a service would not start again. */
function abandoned(
  options: ChaosOptions,
  kills: KillEvent[],
  stats: RequestStats,
  problems: string[],
  startedAt: number,
): ChaosReport {
  const total = Date.now() - startedAt;
  return {
    seed: options.seed,
    transfersPlanned: { quoted: 0, inline: 0 },
    requests: stats,
    longestRecoveryMs: 0,
    kills,
    faultsArmed: {},
    durationsMs: { setUp: 0, load: total, settle: 0, total },
    checks: [
      {
        name: 'services killed, restarted and answering',
        ok: false,
        summary: 'the run was stopped',
        problems,
      },
    ],
    ok: false,
    logDir: options.logDir ?? null,
  };
}
