// The repository's root folder, so that scripts and tests find .data/ and .tools/ wherever they run from.
// The compiled gateway runs from dist/ (tsconfig.build.json), one folder deeper than its sources.
import path from 'node:path';

const above = path.resolve(import.meta.dirname, '..');
export const projectDir = path.basename(above) === 'dist' ? path.dirname(above) : above;
