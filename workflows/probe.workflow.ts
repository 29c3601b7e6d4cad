// The smallest real workflow: one activity on the database, through the worker. Operators and the
// tests run it to prove that the gateway, Temporal, the worker and PostgreSQL are wired together.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from './activities.ts';
import { timeoutProfiles } from './timeouts.ts';

const { readDatabaseTime } = proxyActivities<Activities>(timeoutProfiles.database);

export interface ProbeResult {
  workflowId: string;
  note: string;
  databaseTime: string;
}

export async function probeWorkflow(note: string): Promise<ProbeResult> {
  const databaseTime = await readDatabaseTime();
  return { workflowId: workflowInfo().workflowId, note, databaseTime };
}
