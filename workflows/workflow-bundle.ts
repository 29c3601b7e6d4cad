// The workflows' bundle, made by webpack in a child process. Bundling inside the worker leaves
// webpack's working memory in the worker's heap for its whole life (the worker measured 339 MiB
// resident at rest against a bare worker's 258); out of process, the worker only holds the bundle.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectDir } from '../runtime/project-dir.ts';

const run = promisify(execFile);

// The workflows' code cannot change while this process runs, so a worker started again in it (a
// restart, another task queue) reuses the bundle instead of paying webpack again.
const bundles = new Map<string, Promise<{ code: string }>>();

/** Bundles workflows/index.ts with these workflow interceptor modules; the code, for Worker.create. */
export function bundleWorkflowsOutOfProcess(
  interceptorModules: readonly string[],
): Promise<{ code: string }> {
  const key = JSON.stringify(interceptorModules);
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleInChild(interceptorModules);
    // A failed bundling is not kept: the next worker tries again.
    bundle.catch(() => bundles.delete(key));
    bundles.set(key, bundle);
  }
  return bundle;
}

async function bundleInChild(interceptorModules: readonly string[]): Promise<{ code: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'alliance-workflows-'));
  const outFile = path.join(dir, 'workflow-bundle.js');
  try {
    await run(
      process.execPath,
      [path.join(projectDir, 'scripts', 'bundle-workflows.ts'), outFile, JSON.stringify(interceptorModules)],
      { cwd: projectDir, maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: await readFile(outFile, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
