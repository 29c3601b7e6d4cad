// The bare worker the benches measure Temporal alone with (bench/bare-worker.ts: four no-op
// activities), started with the worker's own V8 flags, so that a memory ratio compares what each
// worker holds, not the flags against V8's defaults.
import { serviceNodeFlags } from '../../runtime/node-flags.ts';
import { type Service, startService } from './processes.ts';

export function startBareWorker(temporalAddress: string, taskQueue: string): Promise<Service> {
  return startService({
    name: 'bare-worker',
    script: 'bench/bare-worker.ts',
    nodeFlags: serviceNodeFlags['scripts/worker.ts'],
    env: { TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
    ready: 'bare worker running',
  });
}
