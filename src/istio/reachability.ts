// Which http match blocks istiod's validation reports as unreachable (IST0130
// VirtualServiceUnreachableRule) or ineffective (IST0131 VirtualServiceIneffectiveMatch): a port of
// analyzeUnreachableHTTPRules (istio pkg/config/validation), which `istioctl analyze` reports as
// warnings. Identical blocks (compared as Go's json.Marshal of the proto, name aside) and uri-prefix
// blocks its coveredValidation heuristic takes for covered by an earlier block are flagged.
import { jsonEqual } from './clone.ts';
import type { HttpRoute } from './types.ts';

type Block = Record<string, unknown>;

export const UNREACHABLE_AFTER_CATCH_ALL = 'route without matches defined before';

export interface UnreachableFinding {
  code: 'IST0130' | 'IST0131';
  /** Index of the flagged route. */
  route: number;
  /** Flagged match block (IST0131). */
  match?: number;
  /** The earlier route and block that make it ineffective (IST0131). */
  earlierRoute?: number;
  earlierMatch?: number;
  reason: string;
}

/** Keys by block object: a plan compares each header rule's blocks with every earlier block, stage after
 * stage, so with many owned routes the same block is keyed thousands of times. Blocks are never mutated
 * once built (every edit makes new objects), so the object identifies its key. */
const keys = new WeakMap<Block, string>();

/** Go's encoding/json of a match block: zero values omitted (omitempty), `name` removed; string matches kept as written. */
export function blockKey(block: Block): string {
  let key = keys.get(block);
  if (key === undefined) {
    key = canonical(Object.fromEntries(Object.entries(block).filter(([k, v]) => k !== 'name' && !isZero(v))));
    keys.set(block, key);
  }
  return key;
}

function isZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0 && !Array.isArray(v));
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Block)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** genMatchHTTPRoutes: the fields coveredValidation compares, for a block with a non-empty uri prefix. */
interface PrefixMatch {
  route: number;
  match: number;
  prefix: string;
  port: number;
  method: string;
  authority: string;
  headers: Map<string, string>;
  queryParams: Map<string, string>;
  withoutHeaders: Map<string, string>;
}

function exactOrPrefix(sm: unknown): string {
  const m = (sm ?? {}) as { exact?: unknown; prefix?: unknown };
  if (typeof m.exact === 'string' && m.exact !== '') return `exact:${m.exact}`;
  if (typeof m.prefix === 'string' && m.prefix !== '') return `prefix:${m.prefix}`;
  return '';
}

function valueMap(v: unknown): Map<string, string> {
  return new Map(Object.entries((v ?? {}) as Block).map(([k, sm]) => [k, exactOrPrefix(sm)]));
}

function prefixMatch(block: Block, route: number, match: number): PrefixMatch | undefined {
  const uri = block.uri as { prefix?: unknown } | undefined;
  if (typeof uri?.prefix !== 'string' || uri.prefix === '') return undefined;
  return {
    route,
    match,
    prefix: uri.prefix,
    port: typeof block.port === 'number' ? block.port : 0,
    method: exactOrPrefix(block.method) || 'exact:GET',
    authority: exactOrPrefix(block.authority),
    headers: valueMap(block.headers),
    queryParams: valueMap(block.queryParams),
    withoutHeaders: valueMap(block.withoutHeaders),
  };
}

function sameOrPrefixed(a: string, b: string): boolean {
  return a === b || a.startsWith(b);
}

function mapCovered(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !sameOrPrefixed(v, w)) return false;
  }
  return true;
}

/** coveredValidation(a earlier, b later), istiod's heuristic (not a semantic subset test). */
function heuristicallyCovered(a: PrefixMatch, b: PrefixMatch): boolean {
  return b.prefix.startsWith(a.prefix) && a.port === b.port && sameOrPrefixed(a.method, b.method) && sameOrPrefixed(a.authority, b.authority) &&
    mapCovered(a.headers, b.headers) && mapCovered(a.queryParams, b.queryParams) && mapCovered(a.withoutHeaders, b.withoutHeaders);
}

/** analyzeUnreachableHTTPRules. */
export function unreachableFindings(routes: HttpRoute[]): UnreachableFinding[] {
  const out: UnreachableFinding[] = [];
  const seen = new Map<string, number>();
  const prefixed: PrefixMatch[] = [];
  let catchAll = -1;
  routes.forEach((r, i) => {
    const blocks = (r.match ?? []) as Block[];
    if (blocks.length === 0) {
      if (catchAll >= 0) out.push({ code: 'IST0130', route: i, reason: 'only the last rule can have no matches' });
      catchAll = i;
      return;
    }
    let duplicates = 0;
    blocks.forEach((block, j) => {
      if (catchAll >= 0) {
        out.push({ code: 'IST0130', route: i, reason: UNREACHABLE_AFTER_CATCH_ALL });
        return;
      }
      const key = blockKey(block);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        out.push({ code: 'IST0131', route: i, match: j, earlierRoute: earlier, reason: 'duplicate match' });
        duplicates++;
        return;
      }
      seen.set(key, i);
      const p = prefixMatch(block, i, j);
      if (p) prefixed.push(p);
    });
    if (duplicates === blocks.length) out.push({ code: 'IST0130', route: i, reason: 'all matches used by prior rules' });
  });
  return [...out, ...prefixOverlaps(prefixed)];
}

/** istiod compares every earlier prefix block with every later one whose prefix extends it; looked up by
 * each later prefix's shorter prefixes instead of pairwise (a 1,000-route VirtualService has 500,000 pairs). */
function prefixOverlaps(prefixed: PrefixMatch[]): UnreachableFinding[] {
  const byPrefix = new Map<string, number[]>();
  prefixed.forEach((p, k) => {
    const same = byPrefix.get(p.prefix);
    if (same) same.push(k);
    else byPrefix.set(p.prefix, [k]);
  });
  const pairs: Array<[number, number]> = [];
  prefixed.forEach((b, kb) => {
    for (let len = 1; len < b.prefix.length; len++) {
      for (const ka of byPrefix.get(b.prefix.slice(0, len)) ?? []) if (ka < kb && heuristicallyCovered(prefixed[ka]!, b)) pairs.push([ka, kb]);
    }
  });
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return pairs.map(([ka, kb]) => {
    const a = prefixed[ka]!;
    const b = prefixed[kb]!;
    return { code: 'IST0131', route: b.route, match: b.match, earlierRoute: a.route, earlierMatch: a.match, reason: `prefix ${b.prefix} overlaps prefix ${a.prefix}` };
  });
}

const SAME_WHEN_PRESENT = ['method', 'authority', 'scheme', 'port', 'sourceNamespace', 'gateways'] as const;
const PER_KEY = ['headers', 'queryParams', 'withoutHeaders', 'sourceLabels'] as const;
const NOT_MATCHING = new Set(['name', 'statPrefix', 'uri', 'ignoreUriCase', ...SAME_WHEN_PRESENT, ...PER_KEY]);

/** Every request `later` matches is matched by `earlier` (so `later`, after it, never matches). Conservative. */
export function semanticallyCovers(earlier: Block, later: Block): boolean {
  if (blockKey(earlier) === blockKey(later)) return true;
  if (!uriCovers(earlier, later)) return false;
  for (const field of SAME_WHEN_PRESENT) if (earlier[field] !== undefined && !jsonEqual(earlier[field], later[field])) return false;
  for (const field of PER_KEY) {
    const want = (earlier[field] ?? {}) as Block;
    const have = (later[field] ?? {}) as Block;
    for (const [k, v] of Object.entries(want)) if (!jsonEqual(v, have[k])) return false;
  }
  // Any field we do not model must be the same on both.
  for (const [k, v] of Object.entries(earlier)) if (!NOT_MATCHING.has(k) && !jsonEqual(v, later[k])) return false;
  return true;
}

function uriCovers(earlier: Block, later: Block): boolean {
  if (earlier.uri === undefined) return true;
  if (later.uri === undefined) return false;
  if (Boolean(earlier.ignoreUriCase) !== Boolean(later.ignoreUriCase)) return false;
  const a = earlier.uri as { prefix?: unknown };
  const b = later.uri as { prefix?: unknown; exact?: unknown };
  if (typeof a.prefix === 'string' && typeof b.prefix === 'string') return b.prefix.startsWith(a.prefix);
  if (typeof a.prefix === 'string' && typeof b.exact === 'string') return b.exact.startsWith(a.prefix);
  return jsonEqual(earlier.uri, later.uri);
}
