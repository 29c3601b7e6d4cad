// GET /metrics in Prometheus's text format: this process's counters and histograms, and each
// partner's open exposure read from the database on scrape (one grouped query, under a timeout).
//
// Not in the OpenAPI document: Prometheus calls it, not partners. It carries business figures
// (points moved per programme pair, exposure per partner), so a deployment whose gateway port is
// reachable by partners sets METRICS_TOKEN, and the scrape then sends it as a bearer token.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from '../../runtime/logger.ts';
import { metricsRegistry, openExposure, scrapeFigureFailures } from '../../runtime/metrics.ts';
import { bearerTokenMatches } from '../../runtime/metrics-server.ts';
import type { ServiceContext } from '../../services/context.ts';
import { openExposureByPartner } from '../../services/exposure-figures.ts';
import type { GatewayEnv } from '../context.ts';

export interface MetricsRouteOptions {
  /** The bearer token a scrape must send; null: none needed (development, or a private port). */
  bearerToken: string | null;
  /** How long the database's figures may take before the scrape answers without refreshing them. */
  figuresTimeoutMs?: number;
}

async function refreshOpenExposure(
  services: ServiceContext,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  try {
    const figures = await openExposureByPartner(services, timeoutMs);
    openExposure.reset();
    for (const figure of figures) {
      // A gauge is a double: exact to 2^53 minor units, which no partner's exposure nears.
      openExposure.set(
        { partner: figure.partnerId, currency: figure.currency },
        Number(figure.exposureMinor),
      );
    }
  } catch (error) {
    scrapeFigureFailures.inc({ figure: 'open_exposure' });
    logger.warn({ err: error }, 'open exposure not refreshed for the metrics scrape');
  }
}

export function registerMetricsRoute(
  app: OpenAPIHono<GatewayEnv>,
  services: ServiceContext,
  logger: Logger,
  options: MetricsRouteOptions,
): void {
  app.get('/metrics', async (c) => {
    if (!bearerTokenMatches(c.req.header('authorization'), options.bearerToken)) {
      return c.text('A bearer token is needed to read the metrics.\n', 401, {
        'www-authenticate': 'Bearer realm="metrics"',
      });
    }
    await refreshOpenExposure(services, options.figuresTimeoutMs ?? 2_000, c.var.logger ?? logger);
    return c.body(await metricsRegistry.metrics(), 200, { 'content-type': metricsRegistry.contentType });
  });
}
