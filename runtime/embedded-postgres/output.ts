/** Server output kept to explain a failed start: the cause is among the last lines. */
export const recentOutputLinesMax = 40;

/** Splits output chunks into lines and keeps the last few, to explain a failure. */
export function lineCollector(onLine: (line: string) => void) {
  const recent: string[] = [];
  let partial = '';
  const keep = (line: string) => {
    if (!line.trim()) return;
    recent.push(line);
    if (recent.length > recentOutputLinesMax) recent.shift();
    onLine(line);
  };
  return {
    write(chunk: Buffer) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) keep(line);
    },
    recent(): string[] {
      if (partial) keep(partial);
      partial = '';
      return [...recent];
    },
  };
}

/**
 * The lines that say why PostgreSQL (or initdb) stopped: its FATAL, PANIC and ERROR lines, each with
 * the DETAIL and HINT after it, and a failed bind, which PostgreSQL logs at LOG level because it
 * tries each listen address before giving up with "could not create any TCP/IP sockets".
 */
export function failureCause(lines: readonly string[]): string | null {
  const causes: { text: string; notes: string[] }[] = [];
  let explaining = false;
  for (const line of lines) {
    const server = /\b(FATAL|PANIC|ERROR|LOG|WARNING|DETAIL|HINT):\s+(.*)$/.exec(line);
    const initdb = /^initdb: (error|detail|hint): (.*)$/.exec(line);
    const severity = (server?.[1] ?? initdb?.[1])?.toUpperCase();
    const text = (server?.[2] ?? initdb?.[2])?.trim();
    if (!severity || !text) continue;
    if (
      ['FATAL', 'PANIC', 'ERROR'].includes(severity) ||
      (severity === 'LOG' && text.startsWith('could not bind'))
    ) {
      causes.push({ text, notes: [] });
      explaining = true;
    } else if (explaining && (severity === 'DETAIL' || severity === 'HINT')) {
      causes.at(-1)?.notes.push(text);
    } else {
      explaining = false;
    }
  }
  if (causes.length === 0) return null;
  return causes.map(({ text, notes }) => (notes.length ? `${text} (${notes.join(' ')})` : text)).join('; ');
}

export function explainExit(
  what: string,
  code: number | null,
  signal: string | null,
  lines: readonly string[],
): Error {
  const cause = failureCause(lines) ?? `its last output: ${lines.slice(-3).join(' | ') || '(none)'}`;
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  return new Error(`${what} ${how}: ${cause}`);
}
