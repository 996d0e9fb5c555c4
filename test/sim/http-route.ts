// HTTPRoute routing as the Gateway API specifies it and Istio implements it, before any dice are
// rolled: which HTTPRoutes apply to a request (a Service parent — GAMMA, served by the client's
// sidecar or the service's waypoint — or a Gateway parent for traffic sent via that gateway), the
// match with the highest precedence across all their rules (src/routing/http-route/precedence.ts),
// and what its rule does: weighted backendRefs, RequestMirror filters with percent or fraction, a
// redirect, or Istio's 500 when every backend has weight 0. Pure and deterministic.

import { normalizedPath, rankMatches, routeOrder } from '../../src/routing/http-route/precedence.ts';
import type { BackendObjectRef, HTTPRoute, NameValueMatch, ParentRef, RouteMatch, RouteRule } from '../../src/routing/http-route/types.ts';
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

function namespaceOf(route: HTTPRoute): string {
  return route.metadata.namespace ?? 'default';
}

function isServiceParent(p: ParentRef): boolean {
  return (p.group === '' || p.group === 'core') && p.kind === 'Service';
}

function isGatewayParent(p: ParentRef): boolean {
  return (p.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' && (p.kind ?? 'Gateway') === 'Gateway';
}

/** Does a parentRef of `route` name the Service `namespace/name` on the request's port? */
export function attachesToService(route: HTTPRoute, namespace: string, name: string, port = SERVICE_PORT): boolean {
  return (route.spec.parentRefs ?? []).some(
    (p) => isServiceParent(p) && p.name === name && (p.namespace ?? namespaceOf(route)) === namespace && (p.port === undefined || p.port === port),
  );
}

function hostnameMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

/** Does a parentRef of `route` name the Gateway `ns/name`, with a hostname that admits `host`? */
export function attachesToGateway(route: HTTPRoute, gatewayId: string, host: string): boolean {
  const names = route.spec.hostnames ?? [];
  if (names.length > 0 && !names.some((h) => hostnameMatches(h, host))) return false;
  return (route.spec.parentRefs ?? []).some((p) => isGatewayParent(p) && `${p.namespace ?? namespaceOf(route)}/${p.name}` === gatewayId);
}

/**
 * The HTTPRoutes for traffic to the Service `namespace/name` from a client in `clientNamespace`:
 * GAMMA's consumer routes (in the client's namespace) replace the producer routes (in the
 * service's namespace) for that client; routes of any other namespace do not apply.
 */
export function meshRoutes(routes: readonly HTTPRoute[], namespace: string, name: string, clientNamespace: string): HTTPRoute[] {
  const attached = routes.filter((r) => attachesToService(r, namespace, name));
  const consumer = attached.filter((r) => namespaceOf(r) === clientNamespace && clientNamespace !== namespace);
  return consumer.length > 0 ? consumer : attached.filter((r) => namespaceOf(r) === namespace);
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

/** Istio drops a mirror whose backend it cannot resolve (the route keeps its backends). */
function mirrors(rule: RouteRule, routeNamespace: string, registry: Registry): MirrorCluster[] {
  const domain = registry.clusterDomain;
  return (rule.filters ?? []).flatMap((f) => {
    const m = f.type === 'RequestMirror' ? f.requestMirror : undefined;
    if (m === undefined || !registry.hasService(serviceFqdn(m.backendRef, routeNamespace, domain))) return [];
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

function ruleChoice(route: HTTPRoute, index: number, registry: Registry): HttpRouteChoice {
  const domain = registry.clusterDomain;
  const rule = route.spec.rules![index]!;
  const ns = namespaceOf(route);
  const id = `${ns}/${route.metadata.name}`;
  const redirect = redirectCode(rule);
  if (redirect !== undefined) return { kind: 'local', httpRoute: id, rule: index, code: redirect, reply: 'redirect' };
  const backends = (rule.backendRefs ?? []).filter((b) => (b.weight ?? 1) > 0);
  // Per the specification, a rule whose backends all have weight 0 (or none) answers 500.
  if (backends.length === 0) return { kind: 'local', httpRoute: id, rule: index, code: 500, reply: 'directResponse' };
  const clusters = backends.map((b) => ({
    ...backendCluster(b, ns, domain),
    weight: backends.length === 1 ? 1 : (b.weight ?? 1),
    destination: { host: serviceFqdn(b, ns, domain) },
  }));
  return { kind: 'route', httpRoute: id, rule: index, clusters, mirrors: mirrors(rule, ns, registry) };
}

/** The choice among `routes` (all attached to the request's parent): the highest-precedence accepting match. */
export function chooseHttpRoute(routes: readonly HTTPRoute[], req: HttpRouteRequest, registry: Registry): HttpRouteChoice | undefined {
  if (routes.length === 0) return undefined;
  const ordered = routeOrder(routes);
  const hit = rankMatches(ordered).find((m) => routeMatchAccepts(m.value, req));
  if (hit === undefined) {
    const first = ordered[0]!;
    return { kind: 'noRoute', httpRoute: `${namespaceOf(first)}/${first.metadata.name}` };
  }
  return ruleChoice(ordered[hit.route]!, hit.rule, registry);
}

