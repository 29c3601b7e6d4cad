// The V8 flags a service is started with, wherever it is started: package.json's script, the
// Dockerfile and docker-compose.yml spell them out (runtime/node-flags.test.ts checks that they
// agree with this list), and the benchmarks and crash tests start their processes with them.
//
// The gateway runs compiled (dist/, `npm run build`): a process started from TypeScript holds Node's
// type stripping, about 18 MiB resident, for the whole of its life.
//
// The gateway's young generation: V8 lets it grow to 2 × 64 MiB semi-spaces under a steady stream
// of short-lived request objects, more than everything else the gateway holds. 6 MiB semi-spaces
// keep it at 12 MiB; a scavenge then runs more often, each as short (docs/performance.md). 4 MiB
// saved about 8 MiB more than 8 after the quote bench but cost hosted-to-hosted transfers about 14 %
// of their throughput in one A/B pair, so the gateway takes the middle.
//
// No Maglev (V8's middle compiler): it compiles the many warm functions of a gateway that serves
// every route, and the zones its compile threads allocate stay in malloc's thread arenas (19-20 MiB
// of them after the quote bench with it, 11-13 without). TurboFan still compiles what is hot. Without
// it the gateway held 148.8 against 168.4 MiB after the quote bench, at 1,148 against 1,080 quotes/s,
// and 31.8 against 29.1 HTTP and 240 against 188 hosted transfers/s (seventh sitting's A/B).
//
// Its old generation: V8 sizes the old space's first collection limit and its growth from the heap
// limit, about 4 GiB by default on a large machine, so requests promoted by those frequent
// scavenges pile up as garbage (heap snapshots: 57 MiB live before and after 3,000 quotes, against
// 121 MiB in use and 230-296 MiB resident, still climbing round after round). A 256 MiB limit,
// about four times what the gateway keeps, makes V8 collect and return that space as it goes
// (about 175 MiB resident after the same load, flat).
//
// The worker's young generation, for the same reason: activities and workflow activations allocate
// short-lived objects without pause, and at V8's default the worker grew to 528 MiB after the HTTP
// transfer bench, 1.43 times a bare worker; with 8 MiB semi-spaces, 333 MiB, and 1.08 times a bare
// worker given the same flag (docs/performance.md). Its old generation keeps V8's default limit: the
// workflow cache lives there, bounded by the SDK rather than by a heap limit.
export const serviceNodeFlags: Record<string, readonly string[]> = {
  'dist/scripts/gateway.js': ['--max-semi-space-size=6', '--max-old-space-size=256', '--no-maglev'],
  'scripts/worker.ts': ['--max-semi-space-size=8'],
};
