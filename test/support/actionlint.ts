// The actionlint binary that scripts/setup.sh builds from its Go module into the cache.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cacheDir } from '../env/go-build.ts';

export const ACTIONLINT_VERSION = readFileSync(resolve(import.meta.dirname, '..', 'env', 'actionlint.version'), 'utf8').trim();

/** Path of the binary; throws, saying how to get it, when it is not built yet. */
export function actionlintBinary(): string {
  const path = join(cacheDir(), 'bin', `actionlint-${ACTIONLINT_VERSION}`);
  if (!existsSync(path)) throw new Error(`actionlint ${ACTIONLINT_VERSION} is not built at ${path}: run bash scripts/setup.sh`);
  return path;
}
