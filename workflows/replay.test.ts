// Replays the checked-in histories of finished transfers (workflows/histories/*.json, recorded by
// `npm run record-histories`) against today's workflow code. A change that would make a running
// transfer take another path than it took (non-determinism) fails here, before it reaches a worker.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../runtime/logger.ts';
import { projectDir } from '../runtime/project-dir.ts';
import { installTemporalRuntime } from '../runtime/temporal-runtime.ts';

// The bundler and replay workers log through our logger at warning level, so a passing run is quiet.
installTemporalRuntime(createLogger(process.env.TEST_LOG_LEVEL ?? 'warn', 'replay-test'));
const require = createRequire(import.meta.url);
const directory = path.join(projectDir, 'workflows', 'histories');
const files = readdirSync(directory).filter((file) => file.endsWith('.json'));

describe('recorded workflow histories', () => {
  it('exist for a completed, a refused and an abandoned transfer', () => {
    expect(files.sort()).toEqual([
      'transfer-completed.json',
      'transfer-credit-abandoned.json',
      'transfer-credit-refused.json',
    ]);
  });

  it.each(files)('%s replays on the current workflow code', async (file) => {
    const recorded = JSON.parse(readFileSync(path.join(directory, file), 'utf8')) as {
      historyProtobufBase64: string;
    };
    const history = temporal.api.history.v1.History.decode(
      Buffer.from(recorded.historyProtobufBase64, 'base64'),
    );
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('./index.ts') }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });
});
