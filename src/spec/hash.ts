// Identity of a spec's content, stored with the rollout state so a run can tell "same release" from
// "someone changed the spec mid-rollout". Where the spec came from does not count.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical.ts';
import type { CanarySpec } from './types.ts';

/** Hex sha256 of the spec's canonical JSON, `source` and `acceptanceTimeout` (how long a run waits,
 * which a user may raise to retry a rollout under way) excluded. */
export function specHash(spec: CanarySpec): string {
  const { source: _source, acceptanceTimeout: _wait, ...content } = spec;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
