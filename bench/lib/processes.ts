// Child processes of a benchmark run: each service runs on its own, so its memory can be read and
// the load generator never shares an event loop with what it measures.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { projectDir } from '../../runtime/project-dir.ts';

export interface Service {
  name: string;
  child: ChildProcess;
  /** Resident memory now, in bytes (VmRSS). */
  residentBytes(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `node <script>` with the environment given, and waits until its output shows `ready`. */
export async function startService(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  ready: string;
  timeoutMs?: number;
}): Promise<Service> {
  // BENCH_CPU_PROFILE_DIR=dir writes a V8 CPU profile of each service when it stops.
  const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(projectDir, options.script)], {
    cwd: projectDir,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.name} did not start:\n${output.slice(-4000)}`)),
      options.timeoutMs ?? 90_000,
    );
    const watch = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(options.ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', watch);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.name} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
  // Keep draining the pipes so a chatty service never blocks on a full buffer.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  child.removeAllListeners('exit');
  return {
    name: options.name,
    child,
    residentBytes() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kilobytes = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kilobytes * 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Runs a script to completion and returns what it printed on stdout, parsed as JSON. */
export async function runJson<T>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<T> {
  const child = spawn(process.execPath, [path.join(projectDir, script), ...args], {
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
