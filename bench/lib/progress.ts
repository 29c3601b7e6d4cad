// What a long benchmark is doing, as it does it: one line on stderr per step, with the seconds since
// the process began, so a person watching a run of several minutes sees where it is (stdout is kept
// for the JSON a load generator hands back to bench/run.ts).
const started = performance.now();

export function progressOf(name: string): (line: string) => void {
  return (line) =>
    process.stderr.write(
      `${name} ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${line}\n`,
    );
}

/** A figure as progress lines show it. */
export const perSecond = (value: number) =>
  `${value.toLocaleString('en-US', { maximumFractionDigits: 1 })}/s`;
