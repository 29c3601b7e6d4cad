// The V8 flags a service is started with, wherever it is started: package.json's script, the
// Dockerfile and docker-compose.yml spell them out (runtime/node-flags.test.ts checks that they
// agree with this list), and the benchmarks and crash tests start their processes with them.
//
// The gateway's young generation: V8 lets it grow to 2 × 64 MiB semi-spaces under a steady stream
// of short-lived request objects, more than everything else the gateway holds. 8 MiB semi-spaces
// keep it at 16 MiB; a scavenge then runs more often, each as short (docs/performance.md).
export const serviceNodeFlags: Record<string, readonly string[]> = {
  'scripts/gateway.ts': ['--max-semi-space-size=8'],
};
