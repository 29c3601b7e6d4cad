// Liveness (the process answers) and readiness (PostgreSQL and Temporal answer in time).
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { ProblemError } from '../../domain/errors.ts';
import { publicRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';

export interface ReadinessChecks {
  database(): Promise<void>;
  temporal(): Promise<void>;
}

const checkTimeoutMs = 2_000;

async function runCheck(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    clearTimeout(timer);
  }
}

const healthRoute = publicRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Health'],
  summary: 'The process is up',
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
      description: 'Up',
    },
  },
});

const ReadySchema = z.object({
  status: z.literal('ready'),
  checks: z.object({ database: z.literal('ok'), temporal: z.literal('ok') }),
});

const readyRoute = publicRoute({
  method: 'get',
  path: '/readyz',
  tags: ['Health'],
  summary: 'PostgreSQL and Temporal are reachable',
  responses: {
    200: { content: { 'application/json': { schema: ReadySchema } }, description: 'Ready to take traffic' },
    ...problemResponses(503),
  },
});

export function registerHealthRoutes(app: OpenAPIHono<GatewayEnv>, checks: ReadinessChecks): void {
  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyRoute, async (c) => {
    const [database, temporal] = await Promise.all([runCheck(checks.database), runCheck(checks.temporal)]);
    if (database !== 'ok' || temporal !== 'ok') {
      throw new ProblemError('dependency_unavailable', `PostgreSQL: ${database}; Temporal: ${temporal}`);
    }
    return c.json({ status: 'ready' as const, checks: { database, temporal } as const }, 200);
  });
}
