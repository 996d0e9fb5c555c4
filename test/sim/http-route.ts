// HTTPRoute routing as the Gateway API specifies it and Istio implements it, before any dice are
// rolled: which HTTPRoutes apply to a request (a Service parent — GAMMA, served by the client's
// sidecar or the service's waypoint — on the port the request is sent to, or the listeners of a
// Gateway the request enters by, per gateway-api.ts), the match with the highest precedence across
// all their rules (src/routing/http-route/precedence.ts), and what its rule does: weighted
// backendRefs on their ports, RequestMirror filters with percent or fraction, a redirect, or
// Istio's 500 when every backend has weight 0. On a Gateway a backend in another namespace needs a
// ReferenceGrant (Istio does not check grants for mesh parents). Pure and deterministic.

import { normalizedPath, rankMatches, routeOrder } from '../../src/routing/http-route/precedence.ts';
import type { BackendObjectRef, HTTPRoute, NameValueMatch, RouteMatch, RouteRule } from '../../src/routing/http-route/types.ts';
import { backendPermitted, boundListeners, hostnamesOverlap, isServiceParent, namespaceOf, parentGateway, type KubeGateway, type ReferenceGrant } from './gateway-api.ts';
import { mirrorPerMillion, type MirrorCluster, type WeightedCluster } from './route-choice.ts';
import { fullMatch, type MatchableRequest } from './match.ts';

export interface HttpRouteRequest extends MatchableRequest {
  host: string;
}

export type HttpRouteChoice =
  | { kind: 'route'; httpRoute: string; rule: number; clusters: WeightedCluster[]; mirrors: MirrorCluster[] }
  | { kind: 'local'; httpRoute: string; rule: number; code: number; reply: 'redirect' | 'directResponse' }
  | { kind: 'noRoute'; httpRoute: string };

const SERVICE_PORT = 80;

/**
 * Does a parentRef of `route` name the Service `namespace/name` for requests to `port`? A parentRef
 * with a port applies to that port only; Istio does not read `sectionName` on a Service parent.
 */
export function attachesToService(route: HTTPRoute, namespace: string, name: string, port = SERVICE_PORT): boolean {
  return (route.spec.parentRefs ?? []).some(
    (p) => isServiceParent(p) && p.name === name && (p.namespace ?? namespaceOf(route)) === namespace && (p.port === undefined || p.port === port),
  );
}

function hostnameMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Of two overlapping hostnames, the one both admit (the virtual host domain pilot builds). */
function narrower(a: string, b: string): string {
  if (!a.startsWith('*')) return a;
  if (!b.startsWith('*')) return b;
  return a.length >= b.length ? a : b;
}

/** How well a virtual host domain matches the request's host, as Envoy ranks them (0: no match). */
function domainRank(domain: string, host: string): number {
  if (domain === host) return Number.MAX_SAFE_INTEGER;
  if (!hostnameMatches(domain, host)) return 0;
  return domain.length;
}

/**
 * The HTTPRoutes for a request entering the Gateway `gatewayId` on `port` for `host`, as pilot
 * builds the gateway's route table: every route a listener on that port takes becomes part of one
 * VirtualService per hostname it lists (`*` for none; routes with the same hostname merged, rules
 * ranked by precedence); each VirtualService's hostname narrowed to the listener's is a virtual
 * host domain, and Envoy picks the domain matching the host best (exact, then the longest
 * wildcard). Several VirtualServices on that domain are concatenated in pilot's order (the
 * gateway's namespace first, then creation time, generated name, namespace), and the first that
 * matches the request wins.
 */
export function gatewayRouteGroups(routes: readonly HTTPRoute[], gateways: readonly KubeGateway[], gatewayId: string, port: number, host: string): HTTPRoute[][] {
  const domains: Array<{ domain: string; vsHost: string; route: HTTPRoute }> = [];
  for (const route of routes) {
    for (const p of route.spec.parentRefs ?? []) {
      const gateway = parentGateway(route, p, gateways);
      if (gateway === undefined || `${namespaceOf(gateway)}/${gateway.metadata.name}` !== gatewayId) continue;
      for (const listener of boundListeners(route, p, gateway).filter((l) => l.port === port)) {
        const listenerHost = listener.hostname ?? '*';
        for (const h of route.spec.hostnames?.length ? route.spec.hostnames : ['*']) {
          if (hostnamesOverlap(h, listenerHost)) domains.push({ domain: narrower(h, listenerHost), vsHost: h, route });
        }
      }
    }
  }
  const best = Math.max(0, ...domains.map((d) => domainRank(d.domain, host)));
  if (best === 0) return [];
  const byVsHost = new Map<string, HTTPRoute[]>();
  for (const d of domains.filter((x) => domainRank(x.domain, host) === best)) {
    const group = byVsHost.get(d.vsHost) ?? [];
    if (!group.includes(d.route)) group.push(d.route);
    byVsHost.set(d.vsHost, group);
  }
  // Pilot gives a gateway the generated VirtualServices of its own namespace first ("consumer
  // override"), then the others, each part by creation time, then name, then namespace. A merged one
  // takes its oldest route's creation time and namespace; on one listener names differ by hostname only.
  const proxyNamespace = gatewayId.split('/')[0];
  const key = ([vsHost, group]: [string, HTTPRoute[]]): string[] => {
    const oldest = routeOrder(group)[0]!;
    return [namespaceOf(oldest) === proxyNamespace ? '0' : '1', String(oldest.metadata.creationTimestamp ?? ''), vsHost, namespaceOf(oldest)];
  };
  const compare = (a: string[], b: string[]): number => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return 0;
  };
  return [...byVsHost.entries()].sort((a, b) => compare(key(a), key(b))).map(([, group]) => group);
}

/** When a route's parentRef to the Service applies to `port`: `port` for one naming it, `any` for one naming none. */
function serviceAttachments(route: HTTPRoute, namespace: string, name: string, port: number): Set<'port' | 'any'> {
  const out = new Set<'port' | 'any'>();
  for (const p of route.spec.parentRefs ?? []) {
    if (!isServiceParent(p) || p.name !== name || (p.namespace ?? namespaceOf(route)) !== namespace) continue;
    if (p.port === undefined) out.add('any');
    else if (p.port === port) out.add('port');
  }
  return out;
}

/**
 * The HTTPRoutes for traffic to the Service `namespace/name` on `port` from a client in
 * `clientNamespace`: GAMMA's consumer routes (in the client's namespace) replace the producer
 * routes (in the service's namespace) for that client; routes of any other namespace do not apply.
 * Istio merges a namespace's routes into one VirtualService per parentRef port (and one for
 * parentRefs without a port), and a sidecar uses one VirtualService per host: the oldest (by its
 * oldest route); on a tie the port's (its generated name sorts first).
 */
export function meshRoutes(routes: readonly HTTPRoute[], namespace: string, name: string, clientNamespace: string, port = SERVICE_PORT): HTTPRoute[] {
  const attached = routes.filter((r) => attachesToService(r, namespace, name, port));
  const consumer = attached.filter((r) => namespaceOf(r) === clientNamespace && clientNamespace !== namespace);
  const chosen = consumer.length > 0 ? consumer : attached.filter((r) => namespaceOf(r) === namespace);
  const byPort = chosen.filter((r) => serviceAttachments(r, namespace, name, port).has('port'));
  const anyPort = chosen.filter((r) => serviceAttachments(r, namespace, name, port).has('any'));
  if (byPort.length === 0 || anyPort.length === 0) return chosen;
  const oldest = (group: HTTPRoute[]) => group.map((r) => String(r.metadata.creationTimestamp ?? '')).sort()[0]!;
  return oldest(anyPort) < oldest(byPort) ? anyPort : byPort;
}

function valueMatches(m: NameValueMatch, value: string | undefined): boolean {
  if (value === undefined) return false;
  return (m.type ?? 'Exact') === 'RegularExpression' ? fullMatch(m.value, value) : value === m.value;
}

/** PathPrefix matches whole path elements: `/items` matches `/items` and `/items/1`, not `/itemsx`. */
function pathMatches(m: RouteMatch, path: string): boolean {
  const { type, value } = normalizedPath(m);
  if (type === 'Exact') return path === value;
  if (type === 'RegularExpression') return fullMatch(value, path);
  return value === '/' || path === value || path.startsWith(`${value}/`);
}

function splitUri(uri: string): { path: string; query: URLSearchParams } {
  const q = uri.indexOf('?');
  return q < 0 ? { path: uri, query: new URLSearchParams() } : { path: uri.slice(0, q), query: new URLSearchParams(uri.slice(q + 1)) };
}

/** One HTTPRouteMatch against a request: every condition must hold. The first entry of a repeated name counts. */
export function routeMatchAccepts(m: RouteMatch, req: HttpRouteRequest): boolean {
  const { path, query } = splitUri(req.uri);
  if (!pathMatches(m, path)) return false;
  if (m.method !== undefined && m.method !== req.method) return false;
  const seen = new Set<string>();
  for (const h of m.headers ?? []) {
    const name = h.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    if (!valueMatches(h, req.headers[name])) return false;
  }
  for (const q of m.queryParams ?? []) {
    if (!valueMatches(q, query.get(q.name) ?? undefined)) return false;
  }
  return true;
}

function serviceFqdn(ref: { name: string; namespace?: string }, routeNamespace: string, domain: string): string {
  return `${ref.name}.${ref.namespace ?? routeNamespace}.svc.${domain}`;
}

function backendCluster(ref: BackendObjectRef, routeNamespace: string, domain: string) {
  return { host: serviceFqdn(ref, routeNamespace, domain), port: ref.port ?? SERVICE_PORT };
}

/** The registry: which Service FQDNs exist, and the cluster domain. */
export interface Registry {
  clusterDomain: string;
  hasService: (fqdn: string) => boolean;
}

/** Grants a Gateway's routes need for backends in other namespaces; undefined for mesh parents (Istio checks none). */
export type Grants = readonly ReferenceGrant[] | undefined;

function permitted(ref: BackendObjectRef, routeNamespace: string, grants: Grants): boolean {
  return grants === undefined || backendPermitted(grants, routeNamespace, ref.namespace ?? routeNamespace, ref.name);
}

/** Istio drops a mirror whose backend it cannot resolve or may not reach (the route keeps its backends). */
function mirrors(rule: RouteRule, routeNamespace: string, registry: Registry, grants: Grants): MirrorCluster[] {
  const domain = registry.clusterDomain;
  return (rule.filters ?? []).flatMap((f) => {
    const m = f.type === 'RequestMirror' ? f.requestMirror : undefined;
    if (m === undefined || !permitted(m.backendRef, routeNamespace, grants) || !registry.hasService(serviceFqdn(m.backendRef, routeNamespace, domain))) return [];
    const value = m.fraction !== undefined ? (100 * m.fraction.numerator) / (m.fraction.denominator ?? 100) : m.percent;
    const perMillion = mirrorPerMillion(value === undefined ? undefined : { value });
    if (perMillion <= 0) return [];
    const destination = { host: serviceFqdn(m.backendRef, routeNamespace, domain) };
    return [{ ...backendCluster(m.backendRef, routeNamespace, domain), perMillion, destination }];
  });
}

function redirectCode(rule: RouteRule): number | undefined {
  const redirect = (rule.filters ?? []).find((f) => f.type === 'RequestRedirect');
  if (redirect === undefined) return undefined;
  return Number((redirect['requestRedirect'] as { statusCode?: number } | undefined)?.statusCode ?? 302);
}

/** Pilot's destination for a backend a Gateway's route may not reach: an empty host, the cluster `UnknownService`. */
const NOT_PERMITTED = { host: '', port: 0 };

function ruleChoice(route: HTTPRoute, index: number, registry: Registry, grants: Grants): HttpRouteChoice {
  const domain = registry.clusterDomain;
  const rule = route.spec.rules![index]!;
  const ns = namespaceOf(route);
  const id = `${ns}/${route.metadata.name}`;
  const redirect = redirectCode(rule);
  if (redirect !== undefined) return { kind: 'local', httpRoute: id, rule: index, code: redirect, reply: 'redirect' };
  const backends = (rule.backendRefs ?? []).filter((b) => (b.weight ?? 1) > 0);
  // Per the specification, a rule whose backends all have weight 0 (or none) answers 500.
  if (backends.length === 0) return { kind: 'local', httpRoute: id, rule: index, code: 500, reply: 'directResponse' };
  const clusters = backends.map((b) => {
    const cluster = permitted(b, ns, grants) ? backendCluster(b, ns, domain) : NOT_PERMITTED;
    return { ...cluster, weight: backends.length === 1 ? 1 : (b.weight ?? 1), destination: { host: cluster.host } };
  });
  return { kind: 'route', httpRoute: id, rule: index, clusters, mirrors: mirrors(rule, ns, registry, grants) };
}

/**
 * The choice among `routes` (all attached to the request's parent): the highest-precedence
 * accepting match. `grants`: the ReferenceGrants when the parent is a Gateway.
 */
export function chooseHttpRoute(routes: readonly HTTPRoute[], req: HttpRouteRequest, registry: Registry, grants?: Grants): HttpRouteChoice | undefined {
  if (routes.length === 0) return undefined;
  const ordered = routeOrder(routes);
  const hit = rankMatches(ordered).find((m) => routeMatchAccepts(m.value, req));
  if (hit === undefined) {
    const first = ordered[0]!;
    return { kind: 'noRoute', httpRoute: `${namespaceOf(first)}/${first.metadata.name}` };
  }
  return ruleChoice(ordered[hit.route]!, hit.rule, registry, grants);
}

