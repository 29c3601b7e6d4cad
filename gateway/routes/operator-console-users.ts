// Operator endpoints of the web console's accounts: create a user with a role (a partner's users
// name their partner) and an initial password, and list the users. The password travels in the
// signed request and is stored only as its argon2id hash; the reply never carries it.
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { consoleRoles } from '../../services/console-access.ts';
import { createConsoleUser, passwordLengthMin, readConsoleUsers } from '../../services/console-accounts.ts';
import { type ServiceContext, within } from '../../services/context.ts';
import type { ConsoleUser } from '../../store/console-users.ts';
import { signedRoute } from '../auth/route-access.ts';
import type { GatewayEnv } from '../context.ts';
import { replyWithEffect } from '../idempotency.ts';
import { problemResponses } from '../problem.ts';
import { IdempotencyHeaders, text } from '../schemas/common.ts';
import { id } from '../schemas/ids.ts';

const tags = ['Operator: console users'];

const CreateConsoleUserBody = z
  .object({
    username: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/, '3–64 letters, digits and . _ @ -')
      .openapi({ example: 'ana.finance', description: 'Stored lower-cased.' }),
    role: z.enum(consoleRoles),
    partnerId: id('ptn')
      .nullish()
      .openapi({ description: 'The partner of a partner_admin or partner_viewer.' }),
    password: text({ min: passwordLengthMin, max: 200 }).openapi({
      description: `The initial password, at least ${passwordLengthMin} characters; stored as an argon2id hash.`,
    }),
  })
  .strict()
  .openapi('CreateConsoleUser');

const ConsoleUserSchema = z
  .object({
    username: z.string(),
    role: z.enum(consoleRoles),
    partnerId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .openapi('ConsoleUser');

const consoleUserView = (user: ConsoleUser): z.infer<typeof ConsoleUserSchema> => ({
  username: user.username,
  role: user.role,
  partnerId: user.partner_id,
  createdBy: user.created_by,
  createdAt: user.created_at.toISOString(),
  disabledAt: user.disabled_at?.toISOString() ?? null,
});

const createRoute = signedRoute('operator', {
  method: 'post',
  path: '/v1/operator/console-users',
  tags,
  summary: 'Create a web console user with a role',
  request: {
    headers: IdempotencyHeaders,
    body: { required: true, content: { 'application/json': { schema: CreateConsoleUserBody } } },
  },
  responses: {
    201: { content: { 'application/json': { schema: ConsoleUserSchema } }, description: 'The user' },
    ...problemResponses(400, 401, 403, 404),
  },
});

const listRoute = signedRoute('operator', {
  method: 'get',
  path: '/v1/operator/console-users',
  tags,
  summary: 'List the web console users',
  responses: {
    200: {
      content: { 'application/json': { schema: z.object({ items: z.array(ConsoleUserSchema) }) } },
      description: 'Every console user',
    },
    ...problemResponses(401, 403),
  },
});

export function registerOperatorConsoleUserRoutes(
  app: OpenAPIHono<GatewayEnv>,
  context: ServiceContext,
): void {
  app.openapi(createRoute, async (c) => {
    const body = c.req.valid('json');
    const reply = await replyWithEffect(c, context.db, async (trx) => ({
      status: 201 as const,
      body: consoleUserView(
        await createConsoleUser(within(context, trx), {
          username: body.username,
          role: body.role,
          partnerId: body.partnerId ?? null,
          password: body.password,
          createdBy: 'operator',
          now: new Date(),
        }),
      ),
    }));
    return c.json(reply.body, reply.status);
  });

  app.openapi(listRoute, async (c) => {
    return c.json({ items: (await readConsoleUsers(context)).map(consoleUserView) }, 200);
  });
}
