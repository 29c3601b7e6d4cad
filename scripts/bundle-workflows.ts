// `node scripts/bundle-workflows.ts <out-file> '<interceptor modules as JSON>'`: bundles the
// workflows (workflows/index.ts) with webpack and writes the bundle, for a worker to load. Run as a
// child of the worker (workflows/workflow-bundle.ts) so webpack's memory dies with this process.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundleWorkflowCode } from '@temporalio/worker';

const require = createRequire(import.meta.url);
const [outFile, modulesJson = '[]'] = process.argv.slice(2);
if (!outFile) throw new Error('usage: bundle-workflows.ts <out-file> [interceptor modules JSON]');
const { code } = await bundleWorkflowCode({
  workflowsPath: require.resolve('../workflows/index.ts'),
  workflowInterceptorModules: JSON.parse(modulesJson) as string[],
});
writeFileSync(outFile, code);
