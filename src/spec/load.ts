// A Canary spec from a file on disk, picked by name when the file holds several.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { parseCanarySpecs } from './parse.ts';
import type { CanarySpec } from './types.ts';

/** Reads `path`, or throws an InputError naming it. Shared with manifest loading. */
export async function readInputFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError({ file: path, path: '', message: `cannot read the file: ${why}` });
  }
}

/** The spec named `name` in `path`, or its only spec when no name is given. */
export async function loadCanarySpec(path: string, name?: string): Promise<CanarySpec> {
  const specs = parseCanarySpecs(await readInputFile(path), path);
  const names = specs.map((s) => `\`${s.name}\``).join(', ');
  if (name === undefined) {
    if (specs.length === 1) return specs[0]!;
    throw new InputError({ file: path, path: '', message: `the file holds ${specs.length} Canary specs (${names}); choose one by name (--canary NAME / input canary)` });
  }
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new InputError({ file: path, path: '', message: `no Canary named \`${name}\` in the file; it has ${names}` });
  return spec;
}
