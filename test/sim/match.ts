// Istio's HTTPMatchRequest against one request: conditions inside a block are ANDed, blocks
// are ORed by the caller. Regexes are RE2 in Envoy and must match the whole value.

export interface MatchableRequest {
  /** Lowercase header names. */
  headers: Readonly<Record<string, string>>;
  /** Path and optional query string, e.g. `/items?page=2`. */
  uri: string;
  method: string;
  authority: string;
  sourceNamespace: string;
  /** Qualified gateway id (`ns/name`) or `mesh`. */
  gateway: string;
}

type StringMatch = { exact?: unknown; prefix?: unknown; regex?: unknown };

const regexCache = new Map<string, RegExp>();

function fullRegex(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`, 'u');
    regexCache.set(source, re);
  }
  return re;
}

/** StringMatch; `{}` means "present" (only meaningful for headers, where absence fails first). */
export function stringMatches(m: StringMatch, value: string, ignoreCase = false): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  if (typeof m.exact === 'string') return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (typeof m.prefix === 'string') return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (typeof m.regex === 'string') return fullRegex(m.regex).test(value);
  return true;
}

function headerMatches(m: StringMatch, value: string | undefined): boolean {
  return value !== undefined && stringMatches(m, value);
}

function splitUri(uri: string): { path: string; query: URLSearchParams } {
  const q = uri.indexOf('?');
  return q < 0 ? { path: uri, query: new URLSearchParams() } : { path: uri.slice(0, q), query: new URLSearchParams(uri.slice(q + 1)) };
}

function asRecord(v: unknown): Record<string, StringMatch> {
  return (typeof v === 'object' && v !== null ? v : {}) as Record<string, StringMatch>;
}

/** Fields this simulator evaluates; a block using any other field never matches (see README). */
const SUPPORTED = new Set([
  'name', 'uri', 'method', 'authority', 'headers', 'withoutHeaders', 'queryParams', 'ignoreUriCase', 'sourceNamespace', 'gateways',
]);

export function unsupportedMatchFields(block: Record<string, unknown>): string[] {
  return Object.keys(block).filter((k) => !SUPPORTED.has(k));
}

export function blockMatches(block: Record<string, unknown>, req: MatchableRequest, vsNamespace: string): boolean {
  if (unsupportedMatchFields(block).length > 0) return false;
  const { path, query } = splitUri(req.uri);
  if (block.uri !== undefined && !stringMatches(block.uri as StringMatch, path, block.ignoreUriCase === true)) return false;
  if (block.method !== undefined && !stringMatches(block.method as StringMatch, req.method)) return false;
  if (block.authority !== undefined && !stringMatches(block.authority as StringMatch, req.authority)) return false;
  for (const [name, m] of Object.entries(asRecord(block.headers))) {
    if (!headerMatches(m, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries(asRecord(block.withoutHeaders))) {
    if (headerMatches(m, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries(asRecord(block.queryParams))) {
    const v = query.get(name);
    if (v === null || !stringMatches(m, v)) return false;
  }
  if (typeof block.sourceNamespace === 'string' && block.sourceNamespace !== req.sourceNamespace) return false;
  if (Array.isArray(block.gateways)) {
    const qualified = block.gateways.map((g: unknown) => (g === 'mesh' || String(g).includes('/') ? String(g) : `${vsNamespace}/${String(g)}`));
    if (!qualified.includes(req.gateway)) return false;
  }
  return true;
}

/** A rule with no match blocks (or an empty list) catches everything. */
export function ruleMatches(blocks: Array<Record<string, unknown>> | undefined, req: MatchableRequest, vsNamespace: string): boolean {
  if (!blocks || blocks.length === 0) return true;
  return blocks.some((b) => blockMatches(b, req, vsNamespace));
}
