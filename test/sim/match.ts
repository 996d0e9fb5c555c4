// Istio's HTTPMatchRequest against one request, as pilot translates it into Envoy's RouteMatch:
// conditions inside a block are ANDed, blocks are ORed by the caller. Regexes are RE2 in Envoy and
// must match the whole value; they are run with re2js, the RE2 port src/spec checks them with, so
// RE2-only syntax (`(?i)`, `(?P<name>…)`) means here what it means to Envoy.

import { RE2JS } from 're2js';

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
  /** The port the request was sent to (the outbound listener's); default 80. */
  port?: number;
}

type StringMatch = { exact?: unknown; prefix?: unknown; regex?: unknown };

const regexCache = new Map<string, RE2JS | null>();

/** RE2 full match; a regex RE2 cannot compile never matches (istiod would have rejected it). */
export function fullMatch(source: string, value: string): boolean {
  let re = regexCache.get(source);
  if (re === undefined) {
    try {
      re = RE2JS.compile(source);
    } catch {
      re = null;
    }
    regexCache.set(source, re);
  }
  return re?.matches(value) ?? false;
}

/**
 * Pilot turns a matcher without a type, or the regex `*` (not RE2, a glob some users write), into
 * Envoy's present_match: the header or query parameter only has to be there.
 */
export function isPresenceMatch(m: StringMatch): boolean {
  return (m.exact === undefined && m.prefix === undefined && m.regex === undefined) || m.regex === '*';
}

/** StringMatch; `{}` means "present" (only meaningful for headers, where absence fails first). */
export function stringMatches(m: StringMatch, value: string, ignoreCase = false): boolean {
  const v = ignoreCase ? value.toLowerCase() : value;
  if (typeof m.exact === 'string') return v === (ignoreCase ? m.exact.toLowerCase() : m.exact);
  if (typeof m.prefix === 'string') return v.startsWith(ignoreCase ? m.prefix.toLowerCase() : m.prefix);
  if (typeof m.regex === 'string') return fullMatch(m.regex, value);
  return true;
}

function headerMatches(m: StringMatch, value: string | undefined): boolean {
  if (isPresenceMatch(m)) return value !== undefined;
  return value !== undefined && stringMatches(m, value);
}

/**
 * withoutHeaders: pilot inverts the matcher and, unless it is a presence match, sets Envoy's
 * `treat_missing_header_as_empty`, so a missing header is the empty value: a matcher that accepts
 * "" (`regex: ".*"`, `exact: ""`) excludes requests without the header too.
 */
function withoutHeaderMatches(m: StringMatch, value: string | undefined): boolean {
  if (isPresenceMatch(m)) return value === undefined;
  return !stringMatches(m, value ?? '');
}

/**
 * Envoy compares a prefix with the whole :path, query string included, and an exact path or a
 * regex with the path alone; ignoreUriCase (case_sensitive: false) applies to prefix and exact only.
 */
function uriMatches(m: StringMatch, uri: string, path: string, ignoreCase: boolean): boolean {
  if (typeof m.prefix === 'string') return stringMatches(m, uri, ignoreCase);
  return stringMatches(m, path, ignoreCase);
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
  'port', 'statPrefix', 'sourceLabels',
]);

export function unsupportedMatchFields(block: Record<string, unknown>): string[] {
  return Object.keys(block).filter((k) => !SUPPORTED.has(k));
}

/**
 * Pilot drops a match block from a proxy's routes when it is not meant for that proxy: another
 * port, gateways that do not include the proxy's (`mesh` for sidecars; a block naming gateways
 * ignores sourceNamespace and sourceLabels), another source namespace, or source labels (the
 * simulator's clients carry none). A block with a field this simulator does not evaluate is dropped too.
 */
export function blockAppliesToProxy(block: Record<string, unknown>, req: MatchableRequest, vsNamespace: string): boolean {
  if (unsupportedMatchFields(block).length > 0) return false;
  if (typeof block.port === 'number' && block.port !== 0 && block.port !== (req.port ?? 80)) return false;
  if (Array.isArray(block.gateways) && block.gateways.length > 0) {
    const qualified = block.gateways.map((g: unknown) => (g === 'mesh' || String(g).includes('/') ? String(g) : `${vsNamespace}/${String(g)}`));
    return qualified.includes(req.gateway);
  }
  if (Object.keys(asRecord(block.sourceLabels)).length > 0) return false;
  return typeof block.sourceNamespace !== 'string' || block.sourceNamespace === '' || block.sourceNamespace === req.sourceNamespace;
}

export function blockMatches(block: Record<string, unknown>, req: MatchableRequest, vsNamespace: string): boolean {
  if (!blockAppliesToProxy(block, req, vsNamespace)) return false;
  const { path, query } = splitUri(req.uri);
  if (block.uri !== undefined && !uriMatches(block.uri as StringMatch, req.uri, path, block.ignoreUriCase === true)) return false;
  if (block.method !== undefined && !headerMatches(block.method as StringMatch, req.method)) return false;
  if (block.authority !== undefined && !headerMatches(block.authority as StringMatch, req.authority)) return false;
  for (const [name, m] of Object.entries(asRecord(block.headers))) {
    if (!headerMatches(m, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries(asRecord(block.withoutHeaders))) {
    if (!withoutHeaderMatches(m, req.headers[name.toLowerCase()])) return false;
  }
  for (const [name, m] of Object.entries(asRecord(block.queryParams))) {
    const v = query.get(name);
    if (v === null || !(isPresenceMatch(m) || stringMatches(m, v))) return false;
  }
  return true;
}

/** Does any block of the rule (or the rule, without blocks) reach this proxy's routes? */
export function ruleAppliesToProxy(blocks: Array<Record<string, unknown>> | undefined, req: MatchableRequest, vsNamespace: string): boolean {
  if (!blocks || blocks.length === 0) return true;
  return blocks.some((b) => blockAppliesToProxy(b, req, vsNamespace));
}

/** A rule with no match blocks (or an empty list) catches everything. */
export function ruleMatches(blocks: Array<Record<string, unknown>> | undefined, req: MatchableRequest, vsNamespace: string): boolean {
  if (!blocks || blocks.length === 0) return true;
  return blocks.some((b) => blockMatches(b, req, vsNamespace));
}
