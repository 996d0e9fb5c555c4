// How Istio's conversion is asked about an HTTPRoute corpus entry (test/corpus/http-route): one
// view per parent of the route — a sidecar of the route's namespace sending to a Service parent
// (mesh, GAMMA; a waypoint serves the same routes), or the gateway pod of a Gateway parent on the
// attached listener — the registry's Services (every backend, mirror target and parent, with the
// ports the routes use), and requests derived from every match of every route: one the match
// accepts and its variants one condition away, each also with the canary's cohort headers.

import type { HttpRouteCorpusEntry } from '../corpus/http-route.ts';
import type { HTTPRoute, NameValueMatch, RouteMatch } from '../../src/routing/http-route/types.ts';
import type { StringMatch } from '../../src/spec/types.ts';
import type { ProbeRequest } from './probe-requests.ts';
import { satisfying } from './probe-requests.ts';

export interface ParentView {
  /** `Service ns/name` or `Gateway ns/name`, for messages. */
  parent: string;
  proxy: { namespace: string; gatewayService?: string };
  host: string;
  port: number;
  /** A gateway listener's route table; a sidecar's is its port. */
  routeName?: string;
}

export interface Registered {
  name: string;
  namespace: string;
  ports: number[];
}

const CANDIDATES = ['/items/42', '/users/7', '/v2/items', 'insider', 'staff', 'Mozilla/5.0 Firefox/130', 'beta', 'v1'];

interface Listener {
  name: string;
  port: number;
  hostname?: string;
}

function concreteHost(pattern: string): string {
  return pattern.startsWith('*.') ? `probe.${pattern.slice(2)}` : pattern;
}

/** One view per parentRef of the route; a Gateway parent must be among the entry's objects. */
export function parentViews(entry: HttpRouteCorpusEntry): ParentView[] {
  const route = entry.route;
  const ns = route.metadata.namespace!;
  return (route.spec.parentRefs ?? []).map((p) => {
    const namespace = p.namespace ?? ns;
    if ((p.kind ?? 'Gateway') === 'Service') {
      return { parent: `Service ${namespace}/${p.name}`, proxy: { namespace: ns }, host: `${p.name}.${namespace}.svc.cluster.local`, port: p.port ?? 80 };
    }
    const gateway = entry.infrastructure.find((o) => o.kind === 'Gateway' && o.metadata.name === p.name && (o.metadata.namespace ?? ns) === namespace);
    if (gateway === undefined) throw new Error(`${entry.id}: the Gateway ${namespace}/${p.name} the route attaches to is not among the entry's objects`);
    const listeners = gateway.spec.listeners as Listener[];
    const listener = listeners.find((l) => (p.sectionName === undefined || l.name === p.sectionName) && (p.port === undefined || l.port === p.port))!;
    const host = concreteHost((route.spec.hostnames ?? []).find((h) => !h.startsWith('*')) ?? route.spec.hostnames?.[0] ?? listener.hostname ?? 'any.example.com');
    return {
      parent: `Gateway ${namespace}/${p.name}`,
      proxy: { namespace, gatewayService: `${p.name}-istio` },
      host,
      port: listener.port,
      routeName: `http.${listener.port}`,
    };
  });
}

/** Every Service the routes name (backends, mirror targets, Service parents) and each Gateway's deployment Service. */
export function registeredServices(routes: HTTPRoute[], entry: HttpRouteCorpusEntry, extra: Registered[] = []): Registered[] {
  const found = new Map<string, Registered>();
  const add = (name: string, namespace: string, port: number | undefined) => {
    const key = `${namespace}/${name}`;
    const s = found.get(key) ?? { name, namespace, ports: [] };
    if (port !== undefined && !s.ports.includes(port)) s.ports.push(port);
    found.set(key, s);
  };
  for (const route of routes) {
    const ns = route.metadata.namespace!;
    for (const p of route.spec.parentRefs ?? []) if (p.kind === 'Service') add(p.name, p.namespace ?? ns, p.port ?? 80);
    for (const rule of route.spec.rules ?? []) {
      for (const b of rule.backendRefs ?? []) add(b.name, b.namespace ?? ns, b.port);
      for (const f of rule.filters ?? []) if (f.requestMirror) add(f.requestMirror.backendRef.name, f.requestMirror.backendRef.namespace ?? ns, f.requestMirror.backendRef.port);
    }
  }
  for (const g of entry.infrastructure.filter((o) => o.kind === 'Gateway')) {
    for (const l of g.spec.listeners as Listener[]) add(`${g.metadata.name}-istio`, g.metadata.namespace ?? entry.route.metadata.namespace!, l.port);
  }
  for (const e of extra) for (const port of e.ports) add(e.name, e.namespace, port);
  return [...found.values()].map((s) => (s.ports.length === 0 ? { ...s, ports: [80] } : s));
}

function valueFor(m: NameValueMatch): string | undefined {
  return (m.type ?? 'Exact') === 'Exact' ? m.value : satisfying({ regex: m.value }, CANDIDATES);
}

function pathFor(m: RouteMatch): string | undefined {
  const type = m.path?.type ?? 'PathPrefix';
  const value = m.path?.value ?? '/';
  if (type === 'RegularExpression') return satisfying({ regex: value }, CANDIDATES.filter((c) => c.startsWith('/')));
  return type === 'Exact' ? value : `${value.replace(/\/$/, '')}/probe`;
}

/** A request the match accepts (undefined when no candidate value satisfies one of its regexes). */
export function requestFor(m: RouteMatch, view: ParentView): ProbeRequest | undefined {
  const path = pathFor(m);
  const headers: Record<string, string> = {};
  for (const h of m.headers ?? []) {
    const v = valueFor(h);
    if (v === undefined) return undefined;
    headers[h.name.toLowerCase()] = v;
  }
  const query: string[] = [];
  for (const q of m.queryParams ?? []) {
    const v = valueFor(q);
    if (v === undefined) return undefined;
    query.push(`${encodeURIComponent(q.name)}=${encodeURIComponent(v)}`);
  }
  if (path === undefined) return undefined;
  return { host: view.host, path: query.length > 0 ? `${path}?${query.join('&')}` : path, method: m.method ?? 'GET', headers };
}

/** Requests one condition away from `r`: each header dropped, the other method, a longer path. */
export function variantsOf(r: ProbeRequest): ProbeRequest[] {
  const [path, query] = r.path.split('?') as [string, string | undefined];
  const out: ProbeRequest[] = Object.keys(r.headers).map((name) => {
    const { [name]: _dropped, ...headers } = r.headers;
    return { ...r, headers };
  });
  out.push({ ...r, method: r.method === 'GET' ? 'POST' : 'GET' });
  out.push({ ...r, path: `${path}x${query === undefined ? '' : `?${query}`}` });
  if (query !== undefined) out.push({ ...r, path });
  return out;
}

/** The cohort headers of the spec as one request's headers. */
export function cohortHeaders(headers: Record<string, StringMatch>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, m]) => [name.toLowerCase(), satisfying(m as { exact?: unknown; prefix?: unknown; regex?: unknown }, CANDIDATES) ?? 'unmatched']));
}
