// RFC 9457 problem+json: every error the gateway sends has this shape, a stable `code`, a human
// `detail` and the request id, and validation errors name each field.
import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { type FieldError, type ProblemCode, ProblemError, problemCatalog } from '../domain/errors.ts';

export const problemMediaType = 'application/problem+json';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:problem-type:alliance:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(problemCatalog) as [ProblemCode, ...ProblemCode[]]),
    instance: z.string().openapi({ description: 'The request path.' }),
    requestId: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'One entry per invalid field.' }),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof ProblemSchema>;

export function problemBody(error: ProblemError, instance: string, requestId: string): Problem {
  const entry = problemCatalog[error.code];
  return {
    type: `urn:problem-type:alliance:${error.code}`,
    title: entry.title,
    status: entry.status,
    detail: error.detail,
    code: error.code,
    instance,
    requestId,
    ...(error.fieldErrors.length > 0 ? { errors: [...error.fieldErrors] } : {}),
  };
}

export function problemResponse(
  c: Context,
  error: ProblemError,
  headers: Record<string, string> = {},
): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? 'unknown';
  const body = problemBody(error, c.req.path, requestId);
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    ...headers,
    'Content-Type': problemMediaType,
  });
}

/** Where a validation target's fields live, so that a field name says where to look. */
const targetPrefix: Record<string, string> = { json: '', query: 'query.', param: 'path.', header: 'header.' };

export function fieldErrorsFromZod(error: ZodError, target: string): FieldError[] {
  const prefix = targetPrefix[target] ?? `${target}.`;
  return error.issues.map((issue) => ({
    field: `${prefix}${issue.path.map(String).join('.')}` || target,
    message: issue.message,
  }));
}

export function validationProblem(error: ZodError, target: string): ProblemError {
  const fields = fieldErrorsFromZod(error, target);
  const names = [...new Set(fields.map((field) => field.field))].join(', ');
  return new ProblemError('validation_failed', `Invalid value for ${names}.`, fields);
}

/** The standard error responses a route documents besides its own. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: `Problem (${status})`, content: { [problemMediaType]: { schema: ProblemSchema } } },
    ]),
  );
}
