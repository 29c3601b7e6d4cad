// Sandbox-only routes: a sandbox partner arms, reads and clears the stand-in brands' fault switches,
// to see its integration meet a timeout or a refusal before it goes live. A partner's faults disturb
// calls for its own members only. Registered only on the sandbox gateway; live answers 404.
import type { OpenAPIHono } from '@hono/zod-openapi';
import {
  armSandboxFault,
  clearSandboxFaults,
  listSandboxFaults,
  type SandboxFaultSwitches,
} from '../../services/sandbox.ts';
import { signedRoute } from '../auth/route-access.ts';
import { callerPartnerId, type GatewayEnv } from '../context.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders } from '../schemas/common.ts';
import {
  SandboxFaultBody,
  SandboxFaultsSchema,
  StandInFaultsSchema,
  standInFaultsView,
} from '../schemas/sandbox.ts';

const tags = ['Sandbox'];
const sandboxOnly = 'Sandbox only: answered by the sandbox gateway, 404 on the live one.';

const armFaultRoute = signedRoute('partner', {
  method: 'post',
  path: '/v1/sandbox/faults',
  tags,
  summary: "Arm a fault at a stand-in brand's system: its next calls of an operation misbehave",
  description: `${sandboxOnly} It disturbs calls for your own demo members only: the stand-ins serve every sandbox partner, and another's transfers go through.`,
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: SandboxFaultBody } } },
  },
  responses: {
    201: {
      content: { 'application/json': { schema: StandInFaultsSchema } },
      description: "The stand-in's faults still armed, this one included",
    },
    ...problemResponses(400, 401, 403, 404),
  },
});

const listFaultsRoute = signedRoute('partner', {
  method: 'get',
  path: '/v1/sandbox/faults',
  tags,
  summary: 'The stand-in brands and the faults you armed at each',
  description: sandboxOnly,
  responses: {
    200: { content: { 'application/json': { schema: SandboxFaultsSchema } }, description: 'The stand-ins' },
    ...problemResponses(401, 403),
  },
});

const clearFaultsRoute = signedRoute('partner', {
  method: 'delete',
  path: '/v1/sandbox/faults',
  tags,
  summary: 'Clear every fault you armed at the stand-in brands',
  description: sandboxOnly,
  responses: { 204: { description: 'Cleared' }, ...problemResponses(401, 403) },
});

export function registerSandboxRoutes(app: OpenAPIHono<GatewayEnv>, switches: SandboxFaultSwitches): void {
  app.openapi(armFaultRoute, async (c) => {
    const { standIn, ...fault } = c.req.valid('json');
    const partnerId = callerPartnerId(c.var.principal);
    return c.json(standInFaultsView(armSandboxFault(switches, { partnerId, standIn, fault })), 201);
  });

  app.openapi(listFaultsRoute, async (c) => {
    const partnerId = callerPartnerId(c.var.principal);
    return c.json({ standIns: listSandboxFaults(switches, partnerId).map(standInFaultsView) }, 200);
  });

  app.openapi(clearFaultsRoute, async (c) => {
    clearSandboxFaults(switches, callerPartnerId(c.var.principal));
    return c.body(null, 204);
  });
}
