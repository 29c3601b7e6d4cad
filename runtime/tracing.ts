// OpenTelemetry tracing, off by default: the SDK starts only when the usual OTEL_* variables ask
// for an exporter (OTEL_TRACES_EXPORTER other than `none`, or an OTLP endpoint), so a process that
// does not trace runs the API's no-op tracer and pays nothing. The exporter, endpoint, headers,
// sampler and service name are the SDK's own OTEL_* settings, read by the SDK itself.
//
// A request's id and a transfer's id travel as baggage (W3C, through HTTP and Temporal headers),
// and every span started under them carries them as attributes: the gateway's request span, the
// workflow start, the activities and their partner calls can all be found by either id.
import { createRequire } from 'node:module';
import { type Context, context, propagation, trace } from '@opentelemetry/api';
import type { tracing } from '@opentelemetry/sdk-node';

// The SDK and its undici instrumentation are loaded only when tracing starts: a process that does
// not trace would otherwise hold them (about 20 MiB resident) for nothing.
const require = createRequire(import.meta.url);
function loadSdk() {
  return {
    ...(require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node')),
    ...(require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici')),
    // The SDK builds its span processors from OTEL_* in this function; the worker needs the same
    // processors for the spans its workflows make inside their sandbox, so it is called here once.
    ...(require('@opentelemetry/sdk-node/build/src/utils.js') as typeof import('@opentelemetry/sdk-node/build/src/utils.js')),
  };
}

type SpanProcessor = tracing.SpanProcessor;
type ReadableSpan = tracing.ReadableSpan;

export const requestIdAttribute = 'alliance.request_id';
export const transferIdAttribute = 'alliance.transfer_id';
const carriedIds = [requestIdAttribute, transferIdAttribute] as const;

/** Whether the environment asks for traces (the SDK's own OTEL_SDK_DISABLED wins). */
export function tracingWanted(env: Record<string, string | undefined> = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.toLowerCase() === 'true') return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Copies the ids carried as baggage onto each span as it starts. */
class CarriedIdsProcessor implements SpanProcessor {
  onStart(span: tracing.Span, parentContext: Context): void {
    const baggage = propagation.getBaggage(parentContext);
    if (!baggage) return;
    for (const key of carriedIds) {
      const entry = baggage.getEntry(key);
      if (entry) span.setAttribute(key, entry.value);
    }
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface Tracing {
  /** Where spans made outside this process's tracer (a workflow's, in its sandbox) are sent. */
  spanProcessor: Pick<SpanProcessor, 'onEnd'> & { onStart(): void };
  shutdown(): Promise<void>;
}

let running: Tracing | null = null;

/** The tracing this process started, or null: the API's no-op tracer is in use. */
export function activeTracing(): Tracing | null {
  return running;
}

/**
 * Starts the SDK when the environment asks for it (or when span processors are given, as a test
 * does with the SDK's in-memory exporter); null when tracing stays off. Once per process.
 */
export function startTracing(options: {
  serviceName: string;
  env?: Record<string, string | undefined>;
  spanProcessors?: SpanProcessor[];
}): Tracing | null {
  if (running) return running;
  if (!options.spanProcessors && !tracingWanted(options.env)) return null;
  const { NodeSDK, UndiciInstrumentation, getSpanProcessorsFromEnv } = loadSdk();
  const exporting = options.spanProcessors ?? getSpanProcessorsFromEnv();
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? options.serviceName,
    spanProcessors: [new CarriedIdsProcessor(), ...exporting],
    // Partner calls and webhooks go through undici; the gateway's own requests get their span
    // from Hono's middleware (gateway/app.ts), which names it by route template.
    instrumentations: [new UndiciInstrumentation()],
  });
  sdk.start();
  running = {
    spanProcessor: {
      onStart() {},
      onEnd(span: ReadableSpan) {
        for (const processor of exporting) processor.onEnd(span);
      },
    },
    async shutdown() {
      running = null;
      await sdk.shutdown();
    },
  };
  return running;
}

/** Runs `work` with an id carried as baggage to every span under it, here and downstream. */
export function withCarriedId<T>(key: (typeof carriedIds)[number], value: string, work: () => T): T {
  trace.getActiveSpan()?.setAttribute(key, value);
  if (!running) return work();
  const current = propagation.getBaggage(context.active()) ?? propagation.createBaggage();
  const baggage = current.setEntry(key, { value });
  return context.with(propagation.setBaggage(context.active(), baggage), work);
}
