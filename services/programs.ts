// The rules every use case applies to a programme it names: it exists, the caller owns it when it
// must, its partner is not suspended, it keeps its points where the operation needs them. Each
// refusal names the request's field, given by the use case.
import { ProblemError } from '../domain/errors.ts';
import type { ProgramWithPartner } from '../store/programs.ts';
import type { ServiceContext } from './context.ts';

export async function requireProgram(
  context: ServiceContext,
  programId: string,
  field: string,
): Promise<ProgramWithPartner> {
  const program = await context.programs.find(context.db, programId);
  if (!program) {
    throw new ProblemError('program_not_found', `Programme ${programId} does not exist.`, [
      { field, message: 'unknown programme' },
    ]);
  }
  return program;
}

/** The programme, if the partner owns it; otherwise a 403 naming the field. */
export async function requireOwnProgram(
  context: ServiceContext,
  partnerId: string,
  programId: string,
  field: string,
): Promise<ProgramWithPartner> {
  const program = await requireProgram(context, programId, field);
  if (program.partner_id !== partnerId) {
    throw new ProblemError('forbidden', `Programme ${programId} belongs to another partner.`, [
      { field, message: 'not your programme' },
    ]);
  }
  return program;
}

/** A suspended partner's programmes take no new quotes or transfers from anyone. */
export function requireActivePartner(program: ProgramWithPartner, field: string): void {
  if (program.partner_status !== 'active') {
    throw new ProblemError(
      'counterparty_suspended',
      `The partner of programme ${program.id} is suspended; no points move to or from it.`,
      [{ field, message: 'the partner is suspended' }],
    );
  }
}

/** The caller's programme whose points the gateway keeps itself. */
export async function requireHostedProgram(
  context: ServiceContext,
  partnerId: string,
  programId: string,
  field: string,
): Promise<ProgramWithPartner> {
  const program = await requireOwnProgram(context, partnerId, programId, field);
  if (program.ledger !== 'hosted') {
    throw new ProblemError(
      'program_not_hosted',
      `Programme ${programId} keeps its points in your own system.`,
    );
  }
  return program;
}
