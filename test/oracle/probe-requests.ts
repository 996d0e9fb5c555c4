// Requests derived from every http rule and match block of a VirtualService: one that satisfies the
// block, and variants that each break one condition (a header dropped, a withoutHeaders header
// sent, a query parameter dropped), sent to every host form a client may use.

import { RE2JS } from 're2js';
import type { VirtualService } from '../../src/istio/types.ts';

export interface ProbeRequest {
  host: string;
  /** The port the request is sent to (a sidecar's outbound listener, or a gateway's listener); default 80. */
  port?: number;
  path: string;
  method: string;
  headers: Record<string, string>;
}

type Matcher = { exact?: unknown; prefix?: unknown; regex?: unknown };

function re2Matches(regex: string, value: string): boolean {
  try {
    return RE2JS.compile(regex).matches(value);
  } catch {
    return false;
  }
}

/** A value the matcher accepts, from the candidates (or a made-up one for exact and prefix). */
export function satisfying(m: Matcher, candidates: readonly string[]): string | undefined {
  if (typeof m.exact === 'string') return m.exact;
  if (typeof m.prefix === 'string') return `${m.prefix}x`;
  if (typeof m.regex === 'string') {
    if (m.regex === '*') return 'present';
    return candidates.find((c) => re2Matches(m.regex as string, c));
  }
  return 'present';
}

interface Parts {
  path: string;
  method: string;
  headers: Record<string, string>;
  query: Record<string, string>;
}

function toRequest(host: string, p: Parts): ProbeRequest {
  const query = new URLSearchParams(p.query).toString();
  return { host, path: query ? `${p.path}?${query}` : p.path, method: p.method, headers: p.headers };
}

function record(v: unknown): Record<string, Matcher> {
  return typeof v === 'object' && v !== null ? (v as Record<string, Matcher>) : {};
}

/** The satisfying request of a block and its one-condition-broken variants. */
function blockRequests(block: Record<string, unknown>, candidates: readonly string[]): Parts[] {
  const base: Parts = { path: '/items', method: 'GET', headers: {}, query: {} };
  const uri = block.uri as Matcher | undefined;
  if (uri) base.path = satisfying(uri, candidates.filter((c) => c.startsWith('/'))) ?? '/unmatched';
  if (block.method) base.method = satisfying(block.method as Matcher, ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'PATCH']) ?? 'GET';
  for (const [name, m] of Object.entries(record(block.headers))) base.headers[name] = satisfying(m, candidates) ?? 'unmatched';
  for (const [name, m] of Object.entries(record(block.queryParams))) base.query[name] = satisfying(m, candidates) ?? 'unmatched';
  const variants: Parts[] = [base];
  for (const name of Object.keys(base.headers)) {
    const { [name]: _dropped, ...headers } = base.headers;
    variants.push({ ...base, headers });
    variants.push({ ...base, headers: { ...base.headers, [name]: 'zz-other' } });
  }
  for (const name of Object.keys(record(block.withoutHeaders))) {
    variants.push({ ...base, headers: { ...base.headers, [name]: 'zz-other' } });
    variants.push({ ...base, headers: { ...base.headers, [name]: '' } });
    const value = satisfying(record(block.withoutHeaders)[name]!, candidates);
    if (value !== undefined) variants.push({ ...base, headers: { ...base.headers, [name]: value } });
  }
  for (const name of Object.keys(base.query)) {
    const { [name]: _dropped, ...query } = base.query;
    variants.push({ ...base, query });
  }
  if (uri) variants.push({ ...base, path: base.path.toUpperCase() }, { ...base, path: '/unmatched' });
  return variants;
}

/** Every probe for the VirtualServices, each sent to each host; duplicates removed. */
export function probeRequests(virtualServices: VirtualService[], hosts: readonly string[], candidates: readonly string[]): ProbeRequest[] {
  const parts: Parts[] = [{ path: '/items', method: 'GET', headers: {}, query: {} }];
  for (const vs of virtualServices) {
    for (const rule of vs.spec.http ?? []) {
      for (const block of rule.match ?? []) parts.push(...blockRequests(block, candidates));
    }
  }
  const seen = new Set<string>();
  const out: ProbeRequest[] = [];
  for (const host of hosts) {
    for (const p of parts) {
      const r = toRequest(host, p);
      const key = JSON.stringify(r);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}
