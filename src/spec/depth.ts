// How deep a document may nest. Every step after parsing (schema, plan, clone, equality) recurses,
// so a document nested thousands of levels deep would end in "Maximum call stack size exceeded"
// somewhere in the middle of a command; it is refused first, without recursion, at its place.
import { formatPath, type PathSegment } from './locate.ts';

/** Deeper than any spec or Istio object needs, and shallow enough for every recursive step. */
export const MAX_DEPTH = 100;
export const TOO_DEEP = `nested more than ${MAX_DEPTH} levels deep; expected at most ${MAX_DEPTH} levels of lists and mappings`;

/** The path to the first value nested deeper than MAX_DEPTH, found without recursion. */
export function tooDeep(data: unknown): PathSegment[] | undefined {
  const stack: Array<{ value: unknown; path: PathSegment[] }> = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_DEPTH) return path;
    const entries: Array<[PathSegment, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) stack.push({ value: child, path: [...path, key] });
  }
  return undefined;
}

/** Where the deep nesting starts: its first segments, not all hundred. */
export function shortPath(path: readonly PathSegment[]): string {
  return path.length > 6 ? `${formatPath(path.slice(0, 6))}…` : formatPath(path);
}
