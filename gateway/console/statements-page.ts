// A cycle's statement downloads: the signed statement as the JWS a partner verifies offline, and its
// lines as CSV. A partner's user downloads its own only (another's is not found).
import type { Hono } from 'hono';
import { consoleStatement } from '../../services/console-statements.ts';
import type { ServiceContext } from '../../services/context.ts';
import type { DocumentSigner } from '../../services/settlement-statements.ts';
import type { ConsoleEnv } from './console-env.ts';

const downloads = {
  'statement.jws': { format: 'jws', type: 'application/jose; charset=us-ascii' },
  'lines.csv': { format: 'csv', type: 'text/csv; charset=utf-8; header=present' },
} as const;

export function registerStatementDownloads(
  app: Hono<ConsoleEnv>,
  context: ServiceContext,
  sign: DocumentSigner,
): void {
  for (const [file, { format, type }] of Object.entries(downloads)) {
    app.get(`/settlement/:cycleId/statements/:partnerId/${file}`, async (c) => {
      const cycleId = c.req.param('cycleId');
      const partnerId = c.req.param('partnerId');
      const body = await consoleStatement(context, c.var.viewer, { cycleId, partnerId, format, sign });
      return c.body(body, 200, {
        'Content-Type': type,
        'Content-Disposition': `attachment; filename="${cycleId}-${partnerId}-${file}"`,
        'Cache-Control': 'no-store',
      });
    });
  }
}
