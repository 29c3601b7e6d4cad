// The API reference page at /reference: Scalar's renderer, its script served by the gateway from the
// @scalar/api-reference package rather than the CDN the integration loads it from by default, and
// without its web fonts or telemetry, so the page works without internet.
import { Scalar } from '@scalar/hono-api-reference';
import type { Hono } from 'hono';
import { packageFile, serveFile } from './static-files.ts';

// biome-ignore lint/suspicious/noExplicitAny: registered on the gateway app, whatever its Env.
export function registerApiReference(app: Hono<any>): void {
  app.get(
    '/reference/scalar.js',
    serveFile(
      packageFile('@scalar/api-reference', 'dist/browser/standalone.js'),
      'text/javascript; charset=utf-8',
      3600,
    ),
  );
  app.get(
    '/reference',
    Scalar({
      url: '/openapi.json',
      pageTitle: 'Points Alliance Gateway API',
      cdn: '/reference/scalar.js',
      withDefaultFonts: false,
      telemetry: false,
    }),
  );
}
