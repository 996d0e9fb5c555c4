// A Go module's source at a pinned version through the Go module proxy, its checksum checked against
// the go.sum hash we pin (a different download is refused). Used for files the stack serves as
// they are published (CustomResourceDefinitions), not built.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PinnedModule {
  path: string;
  version: string;
  /** go.sum hash of the module zip (h1:...). */
  sum: string;
}

/** The module's directory in the module cache (downloaded when missing). */
export async function downloadModule(module: PinnedModule): Promise<string> {
  const id = `${module.path}@${module.version}`;
  const { stdout } = await run('go', ['mod', 'download', '-json', id], { maxBuffer: 4 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '{}',
  }));
  const download = JSON.parse(stdout) as { Dir?: string; Sum?: string; Error?: string };
  if (download.Error !== undefined || download.Dir === undefined) throw new Error(`go mod download ${id} failed: ${download.Error ?? 'no directory'}`);
  if (download.Sum !== module.sum) throw new Error(`${id} has checksum ${download.Sum}, expected ${module.sum}`);
  return download.Dir;
}
