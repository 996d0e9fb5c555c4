// Go programs of the test stack (the API server, istioctl, the pilot route oracle), each built from
// a Go module of ours into a cache outside the repo. A binary's name carries the pinned version and
// a hash of the module's sources, so an edit to a .go file or go.mod is never hidden by the cache.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where built binaries are kept between runs; ISTIO_CANARY_CACHE_DIR overrides it. */
export function cacheDir(): string {
  const base = process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache');
  return process.env['ISTIO_CANARY_CACHE_DIR'] ?? join(base, 'istio-canary');
}

/** The version a module's go.mod pins for `modulePath` (e.g. `k8s.io/apiextensions-apiserver`). */
export function pinnedVersion(moduleDir: string, modulePath: string): string {
  const goMod = readFileSync(join(moduleDir, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (match?.[1] === undefined) throw new Error(`${moduleDir}/go.mod does not require ${modulePath}`);
  return match[1];
}

/** Every .go file, go.mod and go.sum at the module's top level: what a main package there builds from. */
export const MODULE_SOURCES = (name: string): boolean => name.endsWith('.go') || name === 'go.mod' || name === 'go.sum';

/** Only go.mod and go.sum: what a program of another module, required at a pinned version, builds from. */
export const MODULE_REQUIREMENTS = (name: string): boolean => name === 'go.mod' || name === 'go.sum';

/** Hash of the module's files that `sources` selects (default: all its own sources). */
export function moduleSourceHash(moduleDir: string, sources: (name: string) => boolean = MODULE_SOURCES): string {
  const hash = createHash('sha256');
  const files = readdirSync(moduleDir).filter(sources).sort();
  for (const name of files) {
    hash.update(name).update('\0').update(readFileSync(join(moduleDir, name))).update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

export interface GoBinary {
  /** The module directory (holds go.mod). */
  moduleDir: string;
  /** What to build: `.` for the module's main package, or an import path it requires. */
  target: string;
  /** Cache name prefix, e.g. `istioctl`. */
  name: string;
  /** The pinned version named in the cache key. */
  version: string;
  /** The module's files the binary depends on (hashed into the cache key); default MODULE_SOURCES. */
  sources?: (name: string) => boolean;
}

export function binaryPath(b: GoBinary): string {
  return join(cacheDir(), 'bin', `${b.name}-${b.version}-${moduleSourceHash(b.moduleDir, b.sources)}`);
}

/** Path of the binary; builds it when missing (a partial file is never left under the final name). */
export async function ensureGoBinary(b: GoBinary, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const binary = binaryPath(b);
  if (existsSync(binary)) return binary;
  mkdirSync(join(cacheDir(), 'bin'), { recursive: true });
  const partial = `${binary}.partial-${process.pid}`;
  try {
    await run('go', ['build', '-trimpath', '-buildvcs=false', '-o', partial, b.target], {
      cwd: b.moduleDir,
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`go build of ${b.target} failed in ${b.moduleDir}:\n${stderr}`);
  }
  renameSync(partial, binary);
  return binary;
}
