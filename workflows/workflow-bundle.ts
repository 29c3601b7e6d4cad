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

/** Bundles workflows/index.ts with these workflow interceptor modules; the code, for Worker.create. */
export async function bundleWorkflowsOutOfProcess(
  interceptorModules: readonly string[],
): Promise<{ code: string }> {
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
