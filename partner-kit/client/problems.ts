// The gateway's refusals as types: every error answer is RFC 9457 problem+json with a code from one
// closed list, so a caller can switch on `error.code` and the compiler knows every case.
import type { components } from './gateway-api.d.ts';

export type Problem = components['schemas']['Problem'];
export type ProblemCode = Problem['code'];

/** A problem answer, thrown by `dataOrThrow` for callers that prefer exceptions to `{ data, error }`. */
export class GatewayProblemError extends Error {
  readonly status: number;
  readonly problem: Problem | null;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : null;
    const url = new URL(response.url || 'http://gateway/');
    super(
      `${url.pathname} answered ${response.status}${
        problem ? ` ${problem.code}: ${problem.detail}` : `: ${JSON.stringify(body)}`
      }`,
    );
    this.name = 'GatewayProblemError';
    this.status = response.status;
    this.problem = problem;
  }
}

export function isProblem(body: unknown): body is Problem {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as Problem).code === 'string' &&
    typeof (body as Problem).status === 'number'
  );
}

/** The answer's data, or a GatewayProblemError carrying the problem. */
export function dataOrThrow<Result extends { data?: unknown; error?: unknown; response: Response }>(
  result: Result,
): Exclude<Result['data'], undefined> {
  if (result.error !== undefined || !result.response.ok) {
    throw new GatewayProblemError(result.response, result.error);
  }
  return result.data as Exclude<Result['data'], undefined>;
}
