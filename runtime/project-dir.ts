// The repository's root folder, so that scripts and tests find .data/ and .tools/ wherever they run from.
import path from 'node:path';

export const projectDir = path.resolve(import.meta.dirname, '..');
