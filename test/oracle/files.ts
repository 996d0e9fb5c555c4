// Writing a set of files under a directory (plan --out trees, inputs) for istioctl to read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes each file under `dir` (creating folders); returns their paths in order. */
export function writeTree(dir: string, files: Array<{ path: string; content: string }>): string[] {
  return files.map((f) => {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
    return path;
  });
}
