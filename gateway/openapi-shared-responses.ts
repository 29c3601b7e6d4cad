// The statuses that shared middleware can give any operation, added to every operation of the
// document by its method and security, so that a new route declares them without saying so and a
// client generated from the document knows every answer it can get.
import type { ProblemCode } from '../domain/errors.ts';
import { problemCatalog } from '../domain/errors.ts';
import { problemMediaType } from './problem.ts';

interface SharedStatus {
  status: number;
  codes: ProblemCode[];
  appliesTo(operation: { method: string; signed: boolean }): boolean;
}

const always = () => true;
const signed = ({ signed }: { signed: boolean }) => signed;
const posts = ({ method }: { method: string }) => method === 'post';

/** Who gives each: the HTTP server (400, 408, 431), validation, the signature check, idempotency. */
const sharedStatuses: SharedStatus[] = [
  { status: 400, codes: ['validation_failed', 'malformed_request'], appliesTo: always },
  {
    status: 400,
    codes: ['idempotency_key_missing', 'idempotency_key_invalid', 'malformed_json'],
    appliesTo: posts,
  },
  {
    status: 401,
    codes: (Object.keys(problemCatalog) as ProblemCode[]).filter(
      (code) => problemCatalog[code].status === 401,
    ),
    appliesTo: signed,
  },
  { status: 403, codes: ['forbidden'], appliesTo: signed },
  { status: 408, codes: ['request_timeout'], appliesTo: always },
  { status: 409, codes: ['idempotency_key_reused', 'idempotency_request_in_progress'], appliesTo: posts },
  { status: 413, codes: ['payload_too_large'], appliesTo: posts },
  { status: 415, codes: ['unsupported_media_type'], appliesTo: posts },
  // A figure a write leads to that does not fit its column (gateway/unexpected-errors.ts).
  { status: 422, codes: ['amount_out_of_range'], appliesTo: posts },
  { status: 431, codes: ['request_headers_too_large'], appliesTo: always },
  { status: 500, codes: ['internal_error'], appliesTo: always },
  // A signed request reads the partner's keys from the database before anything else.
  { status: 503, codes: ['dependency_unavailable'], appliesTo: signed },
];

interface Operation {
  security?: unknown[];
  responses?: Record<string, { description: string; content?: unknown }>;
}

const httpMethods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Adds the shared statuses to every operation of `document` that does not declare them itself. */
export function addSharedResponses<T extends { paths?: object }>(document: T): T {
  for (const pathItem of Object.values(document.paths ?? {}) as object[]) {
    for (const [method, value] of Object.entries(pathItem)) {
      if (!httpMethods.has(method)) continue;
      const operation = value as Operation;
      const signedOperation = (operation.security ?? []).length > 0;
      const codesByStatus = new Map<number, ProblemCode[]>();
      for (const shared of sharedStatuses) {
        if (!shared.appliesTo({ method, signed: signedOperation })) continue;
        codesByStatus.set(shared.status, [...(codesByStatus.get(shared.status) ?? []), ...shared.codes]);
      }
      operation.responses ??= {};
      const responses = operation.responses;
      for (const [status, codes] of [...codesByStatus].sort(([left], [right]) => left - right)) {
        responses[status] ??= {
          description: `Problem: ${codes.join(', ')}`,
          content: { [problemMediaType]: { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
    }
  }
  return document;
}
