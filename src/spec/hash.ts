// Identity of a spec's content, stored with the rollout state so a run can tell "same release" from
// "someone changed the spec mid-rollout". Where the spec came from does not count.
import { createHash } from 'node:crypto';
import type { CanarySpec } from './types.ts';

/** JSON with object keys sorted at every level, so key order never changes the hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hex sha256 of the spec's canonical JSON, `source` excluded. */
export function specHash(spec: CanarySpec): string {
  const { source: _source, ...content } = spec;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
