// The web console at /console: server-rendered pages over the same use cases the API calls, with
// accounts of its own (services/console-accounts.ts). Its routes are plain Hono routes, not in the
// OpenAPI document: they are pages for people, behind a session rather than a signature.
import path from 'node:path';
import { Hono } from 'hono';
import { projectDir } from '../../runtime/project-dir.ts';
import type { SignInPolicy } from '../../services/console-accounts.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { DocumentSigner } from '../../services/settlement-statements.ts';
import { packageFile, serveFile } from '../static-files.ts';
import { registerActivityPage } from './activity-page.ts';
import { registerAgreementPages } from './agreements-page.ts';
import { registerAlliancePage } from './alliance-page.ts';
import { registerAnalyticsPage } from './analytics-page.ts';
import { registerAuditPage } from './audit-page.ts';
import { registerCatalogPage } from './catalog-page.ts';
import type { ConsoleEnv, ConsoleOptions } from './console-env.ts';
import { consoleErrorPage } from './errors.ts';
import { registerFinanceFlagsPage } from './finance-flags-page.ts';
import { registerFlowsPage } from './flows-page.ts';
import { registerKeysPage } from './keys-page.ts';
import { registerLiabilityPage } from './liability-page.ts';
import { registerMembersPage } from './members-page.ts';
import { registerReconciliationPages } from './reconciliation-page.ts';
import { requireSession } from './session.ts';
import { registerSettlementPages } from './settlement-page.ts';
import { registerSignIn } from './sign-in.ts';
import { registerStatementDownloads } from './statements-page.ts';
import { registerTransferPages } from './transfers-page.ts';
import { registerWebhooksPage } from './webhooks-page.ts';

export type { ConsoleOptions } from './console-env.ts';

// Found from the project's root: the compiled gateway (dist/) has no copy of the assets.
const ownAsset = (name: string) => path.join(projectDir, 'gateway', 'console', 'assets', name);

// Scripts and styles from this origin only, no framing (clickjacking a confirmation button).
const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

export function createConsole(
  context: ServiceContext,
  options: ConsoleOptions & {
    /** Told of a partner whose status the console changed, so caches of it drop it. */
    partnerChanged: (partnerId: string) => void;
    /** Signs a statement a cycle's close did not issue (the gateway's document signer). */
    signDocument: DocumentSigner;
    signInPolicy?: SignInPolicy;
  },
): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.onError(consoleErrorPage);

  app.get(
    '/assets/uPlot.iife.min.js',
    serveFile(packageFile('uplot', 'dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8', 86_400),
  );
  app.get(
    '/assets/uPlot.min.css',
    serveFile(packageFile('uplot', 'dist/uPlot.min.css'), 'text/css; charset=utf-8', 86_400),
  );
  // ECharts draws the Sankey, the liability lines and the positions' bars (uPlot has no Sankey).
  app.get(
    '/assets/echarts.min.js',
    serveFile(packageFile('echarts', 'dist/echarts.min.js'), 'text/javascript; charset=utf-8', 86_400),
  );
  app.get(
    '/assets/console-charts.js',
    serveFile(ownAsset('console-charts.js'), 'text/javascript; charset=utf-8', 300),
  );
  app.get(
    '/assets/activity-chart.js',
    serveFile(ownAsset('activity-chart.js'), 'text/javascript; charset=utf-8', 300),
  );
  app.get('/assets/console.css', serveFile(ownAsset('console.css'), 'text/css; charset=utf-8', 300));

  app.use('*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      for (const [name, value] of Object.entries(securityHeaders)) c.res.headers.set(name, value);
      c.res.headers.set('Cache-Control', 'no-store');
    }
  });
  const session = requireSession(context);
  app.use('*', async (c, next) => {
    if (c.req.path === '/console/sign-in' || c.req.path.startsWith('/console/assets/')) return next();
    return session(c, next);
  });

  registerSignIn(app, context, options, options.signInPolicy);
  registerActivityPage(app, context);
  registerAlliancePage(app, context, options.partnerChanged);
  registerTransferPages(app, context, options);
  registerSettlementPages(app, context);
  registerStatementDownloads(app, context, options.signDocument);
  registerReconciliationPages(app, context);
  registerAnalyticsPage(app, context);
  registerAuditPage(app, context);
  registerFlowsPage(app, context);
  registerLiabilityPage(app, context);
  registerKeysPage(app, context);
  registerMembersPage(app, context);
  registerCatalogPage(app, context);
  registerWebhooksPage(app, context);
  registerFinanceFlagsPage(app, context);
  registerAgreementPages(app, context);
  return app;
}
