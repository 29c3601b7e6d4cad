// Workflow interceptors that report each run's end to the worker's metrics, through a sink: the
// workflow sandbox has no clock or metrics of its own to use, and a sink call is not part of the
// workflow's history (nothing here changes what a workflow does, so replay is unaffected).
import {
  ContinueAsNew,
  proxySinks,
  type Sinks,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';

export type WorkflowRunEnd = 'completed' | 'failed' | 'continued_as_new';

export interface MetricsSinks extends Sinks {
  metrics: { workflowEnded(end: WorkflowRunEnd): void };
}

const { metrics } = proxySinks<MetricsSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async execute(input, next) {
        try {
          const result = await next(input);
          metrics.workflowEnded('completed');
          return result;
        } catch (error) {
          metrics.workflowEnded(error instanceof ContinueAsNew ? 'continued_as_new' : 'failed');
          throw error;
        }
      },
    },
  ],
});
