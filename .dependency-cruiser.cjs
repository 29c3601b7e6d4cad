// Imports run one way: gateway and workflows (activities) → services → adapters → store → domain.
// `npm run check` runs this; a wrong-way import fails CI naming the rule it broke.
// docs/architecture.md has the same table in prose.
// Tests may reach across layers to set up and inspect what they test.
const tests = '\\.test\\.ts$';
const ours =
  '^(domain|migrations|signing|store|runtime|adapters|reference-partner|workflows|services|gateway|console|partner-kit|sandbox)/';

/** A folder may import only the folders listed (and itself). */
const allowed = {
  domain: [],
  migrations: [],
  signing: ['domain'],
  store: ['domain'],
  runtime: ['domain', 'signing', 'store'],
  adapters: ['domain', 'signing', 'store'],
  // A stand-in for a partner's own system: it knows the published contract and how to verify a
  // signature, nothing else of the gateway.
  'reference-partner': ['signing', 'runtime', 'adapters/partner-contract\\.ts$'],
  // Activities run use cases, as routes do; workflow code itself is held to domain/ below.
  workflows: ['domain', 'signing', 'store', 'adapters', 'runtime', 'services'],
  services: ['domain', 'signing', 'store', 'adapters', 'runtime'],
  // The gateway's own plumbing (auth, idempotency, the server) reads store/ directly; its routes do not.
  gateway: ['domain', 'signing', 'store', 'services', 'workflows', 'runtime'],
  console: ['domain', 'services', 'runtime'],
  // What a partner's engineers run: it calls partner systems exactly as the gateway does (its adapter
  // and signer), and never reaches the gateway's store, services or routes.
  'partner-kit': ['domain', 'signing', 'runtime', 'adapters'],
  // The partner sandbox puts a second alliance together (database, worker, stand-in partner systems,
  // the gateway served as the sandbox), as an entry point does; nothing of the gateway imports it.
  sandbox: ['domain', 'signing', 'store', 'runtime', 'reference-partner', 'workflows', 'services', 'gateway'],
};

const forbidden = Object.entries(allowed).map(([folder, may]) => ({
  name: `${folder}-imports-${may.length ? `only-${may.join('-')}` : 'nothing-of-ours'}`,
  comment: `${folder}/ may import ${may.length ? may.map((name) => (name.includes('/') ? name : `${name}/`)).join(', ') : 'nothing of ours'}`,
  severity: 'error',
  from: { path: `^${folder}/`, pathNot: tests },
  to: {
    path: ours,
    pathNot: [`^${folder}/`, ...may.map((name) => (name.includes('/') ? `^${name}` : `^${name}/`))],
  },
}));

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'workflow-code-is-deterministic',
      comment: 'a workflow imports only @temporalio/workflow, domain/ and the types of activities',
      severity: 'error',
      from: { path: '\\.workflow\\.ts$' },
      to: { path: '^(store|adapters|runtime|signing|services|gateway)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'routes-call-use-cases',
      comment:
        'a route validates, calls one use case in services/ and shapes the reply; store/ only for row types',
      severity: 'error',
      from: { path: '^gateway/(routes|schemas)/', pathNot: tests },
      to: { path: '^(store|workflows|adapters)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'routes-do-not-import-routes',
      comment: 'a route module calls a use case in services/, not another route module',
      severity: 'error',
      from: { path: '^gateway/routes/([^/]+)\\.ts$' },
      to: { path: '^gateway/routes/', pathNot: '^gateway/routes/$1\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.data|\\.tools)/' },
    tsPreCompilationDeps: true,
    parser: 'swc',
  },
};
