// Files the gateway serves as they are: browser scripts from packages in node_modules (the API
// reference's renderer, the console's charting library) and the console's own stylesheet and
// script. Served from here rather than a CDN, so the pages work on a machine without internet.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Handler } from 'hono';

const require = createRequire(import.meta.url);

/** A file inside an installed package, found where Node would look for the package (whatever its exports allow). */
export function packageFile(packageName: string, relative: string): string {
  for (const folder of require.resolve.paths(packageName) ?? []) {
    const candidate = path.join(folder, packageName, relative);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${packageName}/${relative} is not installed; run npm install`);
}

/** Answers with the file, read at the first request and kept in memory. */
export function serveFile(file: string, contentType: string, maxAgeSeconds: number): Handler {
  let body: Promise<Buffer> | undefined;
  return async (c) => {
    body ??= readFile(file);
    return c.body(new Uint8Array(await body), 200, {
      'Content-Type': contentType,
      'Cache-Control': `public, max-age=${maxAgeSeconds}`,
      'X-Content-Type-Options': 'nosniff',
    });
  };
}
