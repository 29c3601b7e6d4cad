// The API reference page at /reference: Scalar's renderer, its script served by the gateway from the
// @scalar/api-reference package rather than the CDN the integration loads it from by default, and
// without what needs Scalar's servers (web fonts, telemetry, its AI agent, the SDK and deploy
// toolbar), so the page works without internet and sends the document nowhere.
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
      agent: { disabled: true },
      showDeveloperTools: 'never',
    }),
  );
}
