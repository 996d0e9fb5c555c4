// A problem found in a document, located by field path; parse.ts and inputs.ts turn it into an
// InputProblem with a file position or an action input name.
import type { PathSegment } from './locate.ts';

export interface PathProblem {
  path: PathSegment[];
  message: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
}

/** How a value looks in a message: strings quoted, containers named. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

/** `a`, `a and b`, `a, b or c`. */
export function wordList(words: readonly string[], last = 'or'): string {
  const quoted = words.map((w) => `\`${w}\``);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} ${last} ${quoted.at(-1)}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
