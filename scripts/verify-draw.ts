// `npm run verify-draw -- FILE|URL`: checks a draw's published data (GET
// /v1/catalog/draws/{itemId}/result, saved to a file or read from its URL) with nothing but the data
// itself: sha256(seed) is the commitment published before the first entry, the entries hash to
// entriesHash, and the seed with that hash draws exactly the published winners (docs/draws.md).
// Prints ok, or each thing that differs and exits 1.
import { readFileSync } from 'node:fs';
import { readPublishedDraw, verifyDraw } from '../domain/draw.ts';

const [source] = process.argv.slice(2);
if (!source) {
  process.stderr.write('usage: npm run verify-draw -- FILE|URL\n');
  process.exit(2);
}
const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : readFileSync(source, 'utf8');
let data: unknown;
try {
  data = JSON.parse(text);
} catch {
  process.stdout.write(`FAILED: ${source} is not JSON\n`);
  process.exit(1);
}
const read = readPublishedDraw(data);
if ('problem' in read) {
  process.stdout.write(`FAILED: ${read.problem}\n`);
  process.exit(1);
}
const { draw } = read;
const check = verifyDraw(draw);
if (check.ok) {
  process.stdout.write(
    `ok: draw ${draw.itemId}: sha256(seed) is the commitment, ${draw.entries.length} entries hash to ${draw.entriesHash}, and the seed draws the published ${draw.winners.length} winners: ${draw.winners.join(', ') || 'none'}\n`,
  );
} else {
  process.stdout.write(
    `FAILED: draw ${draw.itemId}:\n${check.problems.map((problem) => `  - ${problem}\n`).join('')}`,
  );
  process.exit(1);
}
