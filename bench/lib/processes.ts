// Child processes of a benchmark run: each service runs on its own, so its memory can be read and
// the load generator never shares an event loop with what it measures.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { serviceNodeFlags } from '../../runtime/node-flags.ts';
import { projectDir } from '../../runtime/project-dir.ts';

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resident memory now, in bytes (VmRSS). */
  residentBytes(): number;
  /** The last lines it printed (at most outputTailBytes), to say why it failed. */
  recentOutput(): string;
  /** Settles when the process ends, however it ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, as a crash would: no shutdown hook runs. Settles once the process is gone. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const outputTailBytes = 64 * 1024;

// Services never outlive the process that started them, however it ends: killed on its way out,
// and each kills itself should its parent die without a word (orphan-guard.ts).
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Compiles the gateway into dist/ (`npm run build`), as `npm run gateway` does before it starts. */
export function buildGateway(): void {
  execFileSync(path.join(projectDir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: projectDir,
    stdio: 'inherit',
  });
}

/**
 * A port free now, for a service started next. Taken below the kernel's range of ephemeral ports: a
 * port from that range, free when asked, may become the local port of any outgoing connection (to
 * PostgreSQL, to Temporal) before the service given it listens, whose start then fails with
 * EADDRINUSE (seen in CI, for a partner system started seconds after its port was chosen).
 */
export async function freePort(): Promise<number> {
  const lowest = 10_000;
  const ephemeralFrom = firstEphemeralPort();
  for (let attempt = 0; attempt < 20 && ephemeralFrom - lowest > 1_000; attempt += 1) {
    const port = lowest + Math.floor(Math.random() * (ephemeralFrom - lowest));
    if (await listens(port)) return port;
  }
  return listens(0);
}

/** The first port of /proc/sys/net/ipv4/ip_local_port_range (Linux); 32768, its default, elsewhere. */
function firstEphemeralPort(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on `port` (0: any) of 127.0.0.1 and closes again: the port it got, or 0 if `port` was taken. */
function listens(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(0) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const got = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(got));
    });
  });
}

/** Starts `node <script>` with the environment given, and waits until its output shows `ready`. */
export async function startService(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  ready: string;
  timeoutMs?: number;
  /** Everything it prints is also appended to this file, to read after a run. */
  outputFile?: string;
  /** V8 flags; by default the ones the product starts `script` with (runtime/node-flags.ts). */
  nodeFlags?: readonly string[];
}): Promise<Service> {
  const profile = cpuProfileFlags();
  // A compiled service gets the compiled guard: a TypeScript file would load the type stripping into it.
  const guardFile = options.script.startsWith('dist/')
    ? 'dist/bench/lib/orphan-guard.js'
    : 'bench/lib/orphan-guard.ts';
  const guard = ['--import', path.join(projectDir, guardFile)];
  // The flags the product starts this script with (runtime/node-flags.ts), so what is measured is what runs.
  const flags = options.nodeFlags ?? serviceNodeFlags[options.script] ?? [];
  const child = spawn(
    process.execPath,
    [...flags, ...profile, ...guard, path.join(projectDir, options.script)],
    {
      cwd: projectDir,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const outputFile = options.outputFile;
  if (outputFile) {
    const append = (chunk: Buffer) => appendFileSync(outputFile, chunk);
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
  }
  let ready = () => {};
  const watch = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes(options.ready)) ready();
  };
  child.stdout?.on('data', watch);
  child.stderr?.on('data', watch);
  let startFailed = (_code: number | null) => {};
  const exitBeforeReady = (code: number | null) => startFailed(code);
  child.once('exit', exitBeforeReady);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} did not start:\n${output.slice(-4000)}`)),
      options.timeoutMs ?? 90_000,
    );
    ready = () => {
      clearTimeout(timer);
      resolve();
    };
    startFailed = (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code}:\n${output.slice(-4000)}`));
    };
  }).catch((error: unknown) => {
    // One that never said it was ready is not left running.
    child.kill('SIGKILL');
    throw error;
  });
  // Keep draining the pipes so a chatty service never blocks on a full buffer; keep only a tail.
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-outputTailBytes);
  };
  child.stdout?.off('data', watch).on('data', keep);
  child.stderr?.off('data', watch).on('data', keep);
  child.off('exit', exitBeforeReady);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name: options.name,
    child,
    residentBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kilobytes * 1024;
    },
    recentOutput: () => output,
    exited,
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** BENCH_CPU_PROFILE_DIR=dir: each service and load process writes a V8 CPU profile there as it exits. */
function cpuProfileFlags(): string[] {
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  return profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
}

/** Runs a script to completion and returns what it printed on stdout, parsed as JSON. */
export async function runJson<T>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const child = spawn(process.execPath, [...cpuProfileFlags(), path.join(projectDir, script), ...args], {
    cwd: projectDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}`);
  return JSON.parse(output) as T;
}

/** A service that can be killed and started again with the same settings (same port, same queue). */
export interface RestartableService {
  readonly name: string;
  /** The running process, or the last one if it is down. */
  current(): Service;
  /** True between a kill and the next start. */
  isDown(): boolean;
  /** How many times it was started again after the first start. */
  restarts(): number;
  /** SIGKILL the running process and wait until it is gone. */
  kill(): Promise<void>;
  /** Starts a new process and waits until it is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableService(
  options: Parameters<typeof startService>[0],
): Promise<RestartableService> {
  let service = await startService(options);
  let down = false;
  let restarts = 0;
  return {
    name: options.name,
    current: () => service,
    isDown: () => down,
    restarts: () => restarts,
    async kill() {
      down = true;
      await service.kill();
    },
    async start() {
      service = await startService(options);
      restarts += 1;
      down = false;
    },
    stop: () => service.stop(),
  };
}
