// The machine's own Chromium (Debian's `chromium` package) for the console's browser tests and
// screenshots, driven by playwright-core, which downloads no browser of its own. A machine without
// it gets an error that says how to install it, never a silent skip.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const chromiumMissing = `Chromium is not installed at ${chromiumPath}, and the console's browser tests and screenshots need it. Install Debian's package: apt-get install -y --no-install-recommends chromium (as root; .ci/run does it), or set CHROMIUM_PATH to another Chromium.`;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(chromiumMissing);
  // --no-sandbox: CI runs as root, where Chromium refuses its own sandbox.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
}
