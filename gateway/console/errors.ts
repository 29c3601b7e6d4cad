// What a console page answers when its use case refuses: the problem's status and words as a page
// (not problem+json, which is for API callers). An error no one expected is logged and says nothing.
import { html } from 'hono/html';
import { ProblemError } from '../../domain/errors.ts';
import { translateError } from '../unexpected-errors.ts';
import type { ConsoleContext } from './console-env.ts';
import { page } from './layout.ts';

export function consoleErrorPage(error: Error, c: ConsoleContext): Response | Promise<Response> {
  const problem = error instanceof ProblemError ? error : translateError(error);
  if (problem.status >= 500) c.var.logger.error({ err: error, code: problem.code }, 'console error');
  if (problem.status === 401 && c.req.method === 'GET') return c.redirect('/console/sign-in', 303);
  const viewer = c.get('viewer') ?? null;
  const title = problem.status >= 500 ? 'Something went wrong' : 'Refused';
  const detail =
    problem.status >= 500 ? `Something went wrong (request ${c.var.requestId}).` : problem.detail;
  return c.html(
    page(
      { title, viewer, csrfToken: c.get('csrfToken') ?? null },
      html`<p class="refusal">${detail}</p>
        <p><a href="/console">Back to the console</a></p>`,
    ),
    problem.status as 400,
  );
}
