// Records a finished workflow's history for the replay test, when RECORD_HISTORIES=1
// (`npm run record-histories`). Recorded histories are checked in and replayed by every CI run, so
// a workflow change that would break the transfers already running fails before it lands.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { projectDir } from '../../runtime/project-dir.ts';

export async function recordHistory(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const encoded = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('base64');
  const file = path.join(projectDir, 'workflows', 'histories', `${name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ workflowId, recordedAt: new Date().toISOString(), historyProtobufBase64: encoded }, null, 2)}\n`,
  );
}
