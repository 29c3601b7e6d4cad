// `npm run screenshots`: PNGs of the console's main pages in docs/console/, so a reader sees the
// console without running it. Runs scripts/console-screenshots/capture.screens.ts through vitest,
// whose global setup (test/global-setup.ts) provides PostgreSQL and Temporal as for the tests; the
// capture seeds an alliance of its own on a fresh database and drives Debian's Chromium.
import { startVitest } from 'vitest/node';

const vitest = await startVitest([], {
  run: true,
  watch: false,
  include: ['scripts/console-screenshots/capture.screens.ts'],
  // Each page's progress line as it is written, not gathered under the test's name at the end.
  disableConsoleIntercept: true,
});
await vitest.close();
process.exit(vitest.state.getCountOfFailedTests() > 0 || process.exitCode ? 1 : 0);
