// What the worker adds for metrics and traces: each activity attempt timed, each workflow run's
// end reported through a sink, and, when this process traces (runtime/tracing.ts), Temporal's own
// OpenTelemetry interceptors, which carry the trace from the workflow's start through the workflow
// to each activity and its partner calls.
import { createRequire } from 'node:module';
import { resources } from '@opentelemetry/sdk-node';
import type { Context as ActivityContext } from '@temporalio/activity';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptors, InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import { activityDuration, workflowDuration } from '../runtime/metrics.ts';
import { activeTracing, transferIdAttribute } from '../runtime/tracing.ts';
import type { MetricsSinks } from './telemetry-interceptors.workflow.ts';

const require = createRequire(import.meta.url);

function timedActivity(ctx: ActivityContext): ActivityInterceptors {
  return {
    inbound: {
      async execute(input, next) {
        const end = activityDuration.startTimer({ activity_type: ctx.info.activityType });
        try {
          const result = await next(input);
          end({ outcome: 'ok' });
          return result;
        } catch (error) {
          end({ outcome: 'error' });
          throw error;
        }
      },
    },
  };
}

const metricsSinks: InjectedSinks<MetricsSinks> = {
  metrics: {
    workflowEnded: {
      fn(info, end) {
        const seconds = (Date.now() - info.runStartTime.getTime()) / 1000;
        workflowDuration.observe({ workflow_type: info.workflowType, outcome: end }, seconds);
      },
    },
  },
};

/** The interceptors and sinks to give Worker.create. */
export function workerTelemetry(): {
  interceptors: WorkerInterceptors;
  sinks: InjectedSinks<MetricsSinks> & Record<string, unknown>;
} {
  const workflowModules = [require.resolve('./telemetry-interceptors.workflow.ts')];
  const tracing = activeTracing();
  if (!tracing) return { interceptors: { workflowModules, activity: [timedActivity] }, sinks: metricsSinks };
  const resource = new resources.Resource({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'alliance-worker',
  });
  return {
    interceptors: {
      workflowModules: [
        ...workflowModules,
        require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
      ],
      activity: [
        (ctx) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
        timedActivity,
      ],
    },
    sinks: {
      ...metricsSinks,
      exporter: makeWorkflowExporter(
        {
          ...tracing.spanProcessor,
          // A transfer's workflow id is its transfer id: its workflow spans are found by it too.
          onEnd(span) {
            const attributes = span.attributes as Record<string, unknown>;
            if (attributes.workflowType === 'transferWorkflow' && typeof attributes.workflowId === 'string') {
              attributes[transferIdAttribute] = attributes.workflowId;
            }
            tracing.spanProcessor.onEnd(span);
          },
          forceFlush: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        },
        resource,
      ),
    },
  };
}
