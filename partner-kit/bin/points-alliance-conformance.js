#!/usr/bin/env node
// The conformance command's entry for npx and package bins. The command is TypeScript, which Node
// runs as it is from version 24 (type stripping); under an older Node (the machine's own, when npx
// runs from outside the project) it runs again under the project's Node 24, the npm package `node`
// that the project installs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const cli = new URL('../conformance/cli.ts', import.meta.url);
if (Number(process.versions.node.split('.')[0]) >= 24) {
  await import(cli.href);
} else {
  let node24;
  try {
    node24 = createRequire(import.meta.url).resolve('node/bin/node');
  } catch {
    process.stderr.write('Node 24 is needed: run npm install in the project that holds partner-kit\n');
    process.exit(2);
  }
  const run = spawnSync(node24, [cli.pathname, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 2);
}
