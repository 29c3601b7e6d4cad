// A cycle's signed statements in the console: the JWS a partner verifies offline and its lines as
// CSV, from the same use case the API's statement routes call. A partner's user gets its own only;
// another partner's is not found, as through the API.
import { ProblemError } from '../domain/errors.ts';
import { statementPartners } from '../store/console-lists.ts';
import { type ConsoleViewer, partnerScope } from './console-access.ts';
import type { ServiceContext } from './context.ts';
import { type DocumentSigner, signedStatement, statementCsv } from './settlement-statements.ts';

/** The partners whose statements the viewer may download from this cycle. */
export async function downloadableStatements(
  context: ServiceContext,
  viewer: ConsoleViewer,
  cycleId: string,
): Promise<string[]> {
  const scope = partnerScope(viewer);
  const partners = await statementPartners(context.db, cycleId);
  return scope ? partners.filter((partnerId) => partnerId === scope) : partners;
}

export async function consoleStatement(
  context: ServiceContext,
  viewer: ConsoleViewer,
  input: { cycleId: string; partnerId: string; format: 'jws' | 'csv'; sign: DocumentSigner },
): Promise<string> {
  // The statements issued at the close, and only the viewer's own for a partner's user: a late issue
  // (a partner onboarded since) stays with the API, where the partner asks for it signed.
  const partners = await downloadableStatements(context, viewer, input.cycleId);
  if (!partners.includes(input.partnerId)) {
    throw new ProblemError('not_found', `No statement of ${input.partnerId} in ${input.cycleId} for you.`);
  }
  const { format, ...which } = input;
  if (format === 'csv') return statementCsv(context, which);
  return (await signedStatement(context, which)).jws;
}
