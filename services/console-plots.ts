// The figures of the console's plots, as the JSON endpoints next to the pages give them (points and
// money as decimal strings: exact, whatever their size). A partner's user gets the flows touching its
// programmes, its programmes' liability and its own position.
import { listPrograms, type ProgramRow } from '../store/console-members.ts';
import { memberBalancesByDay, programFlows } from '../store/console-plots.ts';
import { type ConsoleViewer, partnerScope } from './console-access.ts';
import { consoleCycle } from './console-views.ts';
import type { ServiceContext } from './context.ts';

export interface Period {
  from: Date;
  /** Exclusive. */
  to: Date;
}

async function scopedPrograms(context: ServiceContext, viewer: ConsoleViewer) {
  const programs = await listPrograms(context.db);
  const scope = partnerScope(viewer);
  const programIds = scope
    ? programs.filter((program) => program.partner_id === scope).map((program) => program.id)
    : null;
  return { programs: new Map(programs.map((program) => [program.id, program])), programIds };
}

const label = (programs: Map<string, ProgramRow>, programId: string) =>
  programs.get(programId)?.name ?? programId;

export interface FlowPlot {
  from: string;
  to: string;
  /** What a link's value sums: the points debited at the source, in the source programme's unit. */
  measure: 'source_points';
  /** Each programme twice, as a source ("Coffee ›") and as a target ("› Coffee"), so that flows both ways draw (a Sankey has no cycles). */
  nodes: { name: string }[];
  links: {
    source: string;
    target: string;
    sourceProgramId: string;
    targetProgramId: string;
    sourcePoints: string;
    transfers: number;
  }[];
}

/** Completed transfers between programmes over the period. */
export async function flowPlot(
  context: ServiceContext,
  viewer: ConsoleViewer,
  period: Period,
): Promise<FlowPlot> {
  const { programs, programIds } = await scopedPrograms(context, viewer);
  const flows = await programFlows(context.db, { ...period, programIds });
  const links = flows.map((flow) => ({
    source: `${label(programs, flow.source_program_id)} ›`,
    target: `› ${label(programs, flow.target_program_id)}`,
    sourceProgramId: flow.source_program_id,
    targetProgramId: flow.target_program_id,
    sourcePoints: String(flow.source_points),
    transfers: flow.transfers,
  }));
  const names = new Set(links.flatMap((link) => [link.source, link.target]));
  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    measure: 'source_points',
    nodes: [...names].map((name) => ({ name })),
    links,
  };
}

export interface LiabilityPlot {
  days: string[];
  /** Hosted programmes: members' posted points at the end of each day. */
  programs: { programId: string; name: string; unitName: string; balancePoints: string[] }[];
  /** Programmes whose points the partner's own system keeps: not in the gateway's ledger. */
  notInLedger: { programId: string; name: string }[];
}

export async function liabilityPlot(
  context: ServiceContext,
  viewer: ConsoleViewer,
  period: Period,
): Promise<LiabilityPlot> {
  const { programs, programIds } = await scopedPrograms(context, viewer);
  const rows = await memberBalancesByDay(context.db, { ...period, programIds });
  const days = [...new Set(rows.map((row) => row.day))];
  const byProgram = new Map<string, string[]>();
  for (const row of rows) {
    const line = byProgram.get(row.program_id) ?? [];
    line.push(String(row.balance_points));
    byProgram.set(row.program_id, line);
  }
  const visible = [...programs.values()].filter((program) => programIds?.includes(program.id) ?? true);
  return {
    days,
    programs: [...byProgram].map(([programId, balancePoints]) => ({
      programId,
      name: label(programs, programId),
      unitName: programs.get(programId)?.unit_name ?? '',
      balancePoints,
    })),
    notInLedger: visible
      .filter((program) => program.ledger === 'partner_system')
      .map((program) => ({ programId: program.id, name: program.name })),
  };
}

export interface PositionsPlot {
  cycleId: string;
  /** Per currency, each party's net (positive: receives), receivable and payable in minor units. */
  currencies: {
    currency: string;
    parties: { partyId: string; netMinor: string; receivableMinor: string; payableMinor: string }[];
  }[];
}

export async function positionsPlot(
  context: ServiceContext,
  viewer: ConsoleViewer,
  cycleId: string,
): Promise<PositionsPlot> {
  const { positions } = await consoleCycle(context, viewer, cycleId);
  const currencies = new Map<string, PositionsPlot['currencies'][number]['parties']>();
  for (const position of positions) {
    const parties = currencies.get(position.currency) ?? [];
    parties.push({
      partyId: position.party_id,
      netMinor: String(position.net_minor),
      receivableMinor: String(position.receivable_minor),
      payableMinor: String(position.payable_minor),
    });
    currencies.set(position.currency, parties);
  }
  return { cycleId, currencies: [...currencies].map(([currency, parties]) => ({ currency, parties })) };
}
