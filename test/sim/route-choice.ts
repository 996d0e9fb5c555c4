// What the sidecar's route table says for one request, before any dice are rolled: the
// VirtualService rule that matches, the weighted clusters and the mirror policies pilot would
// generate for it (names and percentages as pilot computes them), a local reply, no route, or the
// host's default route. Pure and deterministic; the router samples from it, and the differential
// test compares it with the routes Istio's own pilot builds.

import type { Destination, HttpRoute } from '../../src/istio/types.ts';
import { resolveHost } from '../../src/istio/hosts.ts';
import { serviceAliases } from './hosts.ts';
import { chooseHttpRoute, gatewayRouteGroups, meshRoutes } from './http-route.ts';
import { selectVirtualService, type BoundVirtualService, type RoutingTable } from './mesh-config.ts';
import { ruleAppliesToProxy, ruleMatches, type MatchableRequest } from './match.ts';

export interface ChoiceRequest extends MatchableRequest {
  /** The :authority without port: a service FQDN or alias for mesh traffic, the external name for gateway traffic. */
  host: string;
}

/** An Envoy cluster as pilot names it: `outbound|<port>|<subset>|<host>`. */
export interface ClusterRef {
  /** The host as pilot resolved it (only a dotless host is qualified with the VirtualService's namespace). */
  host: string;
  subset?: string;
  port: number;
}

export interface WeightedCluster extends ClusterRef {
  /** Relative to the other clusters of the route; a lone cluster has weight 1. */
  weight: number;
  destination: Destination;
}

export interface MirrorCluster extends ClusterRef {
  /** Share mirrored in millionths (Envoy's FractionalPercent per MILLION); always > 0. */
  perMillion: number;
  destination: Destination;
}

/** Where a choice came from: a VirtualService, or an HTTPRoute (`ns/name`). */
interface Origin {
  virtualService?: BoundVirtualService;
  httpRoute?: string;
}

export type RouteChoice =
  | ({ kind: 'route'; rule: number; clusters: WeightedCluster[]; mirrors: MirrorCluster[] } & Origin)
  | ({ kind: 'local'; rule: number; code: number; reply: 'redirect' | 'directResponse' } & Origin)
  | ({ kind: 'noRoute' } & Origin)
  /** No VirtualService: the service's own cluster, every endpoint. */
  | { kind: 'default'; cluster: ClusterRef }
  /** Not a host of the registry: a ServiceEntry, PassthroughCluster or BlackHoleCluster. */
  | { kind: 'outbound'; host: string };

const DEFAULT_PORT = 80;

/** Pilot's name for a cluster; a destination without a host (a backend a route may not reach) is `UnknownService`. */
export function clusterName(c: ClusterRef): string {
  if (c.host === '') return 'UnknownService';
  return `outbound|${c.port}|${c.subset ?? ''}|${c.host}`;
}

function clusterOf(dest: Destination, vsNamespace: string, clusterDomain: string, listenerPort: number): ClusterRef {
  const host = resolveHost(dest.host, vsNamespace, clusterDomain);
  const port = typeof dest.port?.number === 'number' && dest.port.number > 0 ? dest.port.number : listenerPort;
  return dest.subset ? { host, subset: dest.subset, port } : { host, port };
}

/**
 * Pilot's FractionalPercent for a mirror: `mirrorPercentage` keeps four decimals (value × 10000
 * per million, truncated as Go's uint32 conversion does); the deprecated integer `mirrorPercent`
 * is per hundred; neither means 100 %; an explicit 0 means no mirror.
 */
export function mirrorPerMillion(percentage: { value?: unknown } | undefined, deprecatedPercent?: unknown): number {
  if (percentage !== undefined && percentage !== null) {
    const value = Number(percentage.value ?? 0);
    return value > 0 ? Math.min(1_000_000, Math.trunc(value * 10_000)) : 0;
  }
  if (deprecatedPercent !== undefined && deprecatedPercent !== null) {
    const value = Math.trunc(Number(typeof deprecatedPercent === 'object' ? (deprecatedPercent as { value?: unknown }).value : deprecatedPercent));
    return value > 0 ? Math.min(100, value) * 10_000 : 0;
  }
  return 1_000_000;
}

/** The mirror policies pilot generates for a rule; a policy of 0 millionths mirrors nothing and is left out. */
export function mirrorClusters(rule: HttpRoute, vsNamespace: string, clusterDomain: string, port: number): MirrorCluster[] {
  const out: MirrorCluster[] = [];
  const add = (destination: Destination | undefined, perMillion: number) => {
    if (destination === undefined || perMillion <= 0) return;
    out.push({ ...clusterOf(destination, vsNamespace, clusterDomain, port), perMillion, destination });
  };
  if (rule.mirror) add(rule.mirror, mirrorPerMillion(rule.mirrorPercentage, rule.mirrorPercent));
  for (const m of (rule.mirrors ?? []) as Array<{ destination?: Destination; percentage?: { value?: number } }>) {
    add(m.destination, mirrorPerMillion(m.percentage));
  }
  return out;
}

/** Weighted clusters: with several destinations pilot drops those of weight 0; a lone one gets everything. */
export function weightedClusters(rule: HttpRoute, vsNamespace: string, clusterDomain: string, port: number): WeightedCluster[] {
  const route = rule.route ?? [];
  if (route.length === 1) return [{ ...clusterOf(route[0]!.destination, vsNamespace, clusterDomain, port), weight: 1, destination: route[0]!.destination }];
  return route
    .filter((d) => (d.weight ?? 0) !== 0)
    .map((d) => ({ ...clusterOf(d.destination, vsNamespace, clusterDomain, port), weight: d.weight ?? 0, destination: d.destination }));
}

function localReply(rule: HttpRoute): { code: number; reply: 'redirect' | 'directResponse' } | undefined {
  if (rule.redirect) return { code: Number((rule.redirect as { redirectCode?: number }).redirectCode || 301), reply: 'redirect' };
  if (rule.directResponse) return { code: Number((rule.directResponse as { status?: number }).status ?? 200), reply: 'directResponse' };
  return undefined;
}

function chooseInVirtualService(table: RoutingTable, bound: BoundVirtualService, req: ChoiceRequest): RouteChoice {
  const rules = bound.vs.spec.http ?? [];
  const index = rules.findIndex((r) => r.delegate === undefined && ruleMatches(r.match, req, bound.namespace));
  if (index < 0) return { kind: 'noRoute', virtualService: bound };
  const rule = rules[index]!;
  const local = localReply(rule);
  if (local) return { kind: 'local', virtualService: bound, rule: index, ...local };
  const domain = table.world.clusterDomain;
  const port = req.port ?? DEFAULT_PORT;
  const clusters = weightedClusters(rule, bound.namespace, domain, port);
  if (clusters.length === 0) return { kind: 'noRoute', virtualService: bound };
  return { kind: 'route', virtualService: bound, rule: index, clusters, mirrors: mirrorClusters(rule, bound.namespace, domain, port) };
}

/** The registry service a mesh request's host names: its FQDN, or an alias its virtual host lists. */
function serviceHostFor(table: RoutingTable, host: string, clientNamespace: string): string | undefined {
  if (table.servicesByFqdn.has(host)) return host;
  for (const [fqdn, service] of table.servicesByFqdn) {
    if (serviceAliases(service.name, service.namespace, clientNamespace).includes(host)) return fqdn;
  }
  return undefined;
}

/**
 * A VirtualService from which pilot builds no route for this proxy (every rule's blocks are for
 * other sources, gateways or ports) gets no virtual host: its hosts keep their default routes.
 */
function yieldsRoutes(bound: BoundVirtualService, req: ChoiceRequest): boolean {
  return (bound.vs.spec.http ?? []).some((r) => r.delegate === undefined && ruleAppliesToProxy(r.match, req, bound.namespace));
}

/** Route choice for one request. `req.gateway` is `mesh` for sidecar traffic or the Gateway's `ns/name`. */
export function chooseRoute(table: RoutingTable, req: ChoiceRequest): RouteChoice {
  const viaHttpRoute = chooseByHttpRoute(table, req);
  if (viaHttpRoute) return viaHttpRoute;
  // Envoy picks the virtual host by exact domain first: a VirtualService's own host, then a
  // service's name or alias (a VirtualService for the service applies to its aliases too), and
  // only then a wildcard host.
  const applies = (bound: BoundVirtualService) => yieldsRoutes(bound, req);
  const exact = selectVirtualService(table, req.host, req.gateway, req.sourceNamespace, 'exact', applies);
  if (exact) return chooseInVirtualService(table, exact, req);
  const serviceHost = req.gateway === 'mesh' ? serviceHostFor(table, req.host, req.sourceNamespace) : undefined;
  const bound = selectVirtualService(table, serviceHost ?? req.host, req.gateway, req.sourceNamespace, 'any', applies);
  if (bound) return chooseInVirtualService(table, bound, { ...req, host: serviceHost ?? req.host });
  if (req.gateway !== 'mesh') return { kind: 'noRoute' };
  if (serviceHost !== undefined) return { kind: 'default', cluster: { host: serviceHost, port: req.port ?? DEFAULT_PORT } };
  return { kind: 'outbound', host: req.host };
}

/**
 * HTTPRoutes attached to the request's parent take the request: for mesh traffic the Service its
 * host names on the port it is sent to (GAMMA, at the client's sidecar or the service's waypoint),
 * for gateway traffic the listeners on that port of the Gateway it enters by, when the route's and
 * the listener's hostnames admit the host.
 */
function chooseByHttpRoute(table: RoutingTable, req: ChoiceRequest): RouteChoice | undefined {
  if (table.httpRoutes.length === 0) return undefined;
  const registry = { clusterDomain: table.world.clusterDomain, hasService: (fqdn: string) => table.servicesByFqdn.has(fqdn) };
  if (req.gateway === 'mesh') {
    const fqdn = serviceHostFor(table, req.host, req.sourceNamespace);
    const service = fqdn === undefined ? undefined : table.servicesByFqdn.get(fqdn);
    if (service === undefined) return undefined;
    return chooseHttpRoute(meshRoutes(table.httpRoutes, service.namespace, service.name, req.sourceNamespace, req.port ?? DEFAULT_PORT), req, registry);
  }
  // The VirtualServices of one virtual host are tried in order: the first with a matching rule answers.
  const choices = gatewayRouteGroups(table.httpRoutes, table.kubeGateways, req.gateway, req.port ?? DEFAULT_PORT, req.host).map((routes) =>
    chooseHttpRoute(routes, req, registry, table.referenceGrants),
  );
  return choices.find((c) => c !== undefined && c.kind !== 'noRoute') ?? choices[0];
}
