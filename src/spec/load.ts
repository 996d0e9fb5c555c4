// A Canary spec from a file on disk, picked by name when the file holds several.
import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { parseCanarySpecs } from './parse.ts';
import { firstInvalidUtf8 } from './utf8.ts';
import type { CanarySpec } from './types.ts';

/** Reads `path` as UTF-8 text, or throws an InputError naming it (and the line of a byte that is not
 * UTF-8: decoding would silently turn it into U+FFFD, a value nobody wrote). Shared with manifest loading. */
export async function readInputFile(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError({ file: path, path: '', message: `cannot read the file: ${why}` });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new InputError({ file: path, line: bad.line, column: bad.column, path: '', message: `byte 0x${bad.byte.toString(16).padStart(2, '0')} is not UTF-8; expected UTF-8 text (re-save the file as UTF-8)` });
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
