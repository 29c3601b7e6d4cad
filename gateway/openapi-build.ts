// Builds the gateway's OpenAPI document from the routes, without any service running: the routes
// only describe themselves here, so the dependencies are inert stand-ins that are never called.

import { createLogger } from '../runtime/logger.ts';
import { createDatabase } from '../store/connection.ts';
import { createApp } from './app.ts';
import { gatewayOpenApiDocument } from './openapi-document.ts';

const notRunning = async () => {
  throw new Error('the OpenAPI build runs no service');
};

export async function buildGatewayOpenApiDocument(): Promise<string> {
  // pg connects lazily, so this pool never opens a connection.
  const db = createDatabase({ url: 'postgres://openapi@127.0.0.1:1/openapi', poolSizeMax: 1 });
  try {
    const app = createApp({
      db,
      logger: createLogger('silent'),
      options: {
        audience: 'points-alliance-gateway',
        bodySizeMaxBytes: 1,
        signedRequestLifetimeMaxSeconds: 300,
        clockSkewSeconds: 0,
        idempotencyLockSeconds: 1,
      },
      operatorPublicKeys: [],
      gatewayPublicKeys: [],
      readiness: { database: notRunning, temporal: notRunning },
      exchange: { quoteLifetimeSeconds: 60, coolingOffHours: 0, coolingOffCapSourcePoints: 1n },
      startTransfer: notRunning,
      startReversal: notRunning,
      startAccrual: notRunning,
      startAccrualReversal: notRunning,
      startReconciliation: notRunning,
      startOrder: notRunning,
      startDraw: notRunning,
      pointsPayments: { startOperation: notRunning, reservationGraceMs: 0 },
      closeSettlement: notRunning,
      signDocument: notRunning,
      // The sandbox's routes are in the same document (tagged Sandbox, each saying it is sandbox-only),
      // so that one document and one generated client serve a partner in the sandbox and live.
      sandbox: {
        faults: { standIns: () => [], arm: () => {}, pending: () => [], clear: () => {} },
      },
    });
    return `${JSON.stringify(gatewayOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await db.destroy();
  }
}
