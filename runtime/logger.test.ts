// The lines logged just before a process ends are written, on a plain exit and on an uncaught
// exception alike (they would not be, were the writes made asynchronous without pino's flush on
// exit), and credentials never reach a line. Real child processes.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const loggerModule = path.join(import.meta.dirname, 'logger.ts');

/** Runs `body` in a fresh Node process with a JSON logger called `logger`; its stdout, as lines. */
function runWithLogger(body: string) {
  const script = `import { createLogger } from ${JSON.stringify(loggerModule)};
const logger = createLogger('info', 'test');
${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    env: { PATH: process.env.PATH ?? '', LOG_FORMAT: 'json' },
    encoding: 'utf8',
  });
  const lines = child.stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { msg: string; name: string; n?: number });
  return { status: child.status, lines };
}

describe('the JSON logger', () => {
  it('writes every line logged right before process.exit', () => {
    const { status, lines } = runWithLogger(
      "for (let n = 0; n < 500; n += 1) logger.info({ n }, 'line');\nlogger.info('last words');\nprocess.exit(3);",
    );
    expect(status).toBe(3);
    expect(lines).toHaveLength(501);
    expect(lines.at(-1)).toMatchObject({ msg: 'last words', name: 'test' });
    expect(lines.slice(0, 500).map((line) => line.n)).toEqual(Array.from({ length: 500 }, (_, n) => n));
  });

  it('writes the lines logged right before an uncaught exception ends the process', () => {
    const { status, lines } = runWithLogger("logger.error('about to fail');\nthrow new Error('boom');");
    expect(status).not.toBe(0);
    expect(lines).toEqual([expect.objectContaining({ msg: 'about to fail' })]);
  });

  it('keeps credentials out of its lines', () => {
    const { lines } = runWithLogger(
      "logger.info({ headers: { authorization: 'Bearer secret' } }, 'request');\nprocess.exit(0);",
    );
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(lines[0]).toMatchObject({ headers: { authorization: '[redacted]' } });
  });
});
