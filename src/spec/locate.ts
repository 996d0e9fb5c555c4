// Field paths (`spec.stages[2].weight`) and where they are in the YAML source.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/**
 * The source position of `path` in `doc`: its key when `atKey` (for unknown keys), else its value; a
 * path that is not in the source (a defaulted field) falls back to its nearest ancestor.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly PathSegment[],
  atKey = false,
): { line: number; column: number } | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  let best: Node | undefined = node ?? undefined;
  for (const [i, segment] of path.entries()) {
    let next: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => String(keyOf(p.key)) === String(segment));
      if (pair && atKey && i === path.length - 1) next = pair.key as Node;
      else next = (pair?.value ?? pair?.key) as Node | undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment] as Node | undefined;
    }
    if (!next) break;
    node = next;
    if (node.range) best = node;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
