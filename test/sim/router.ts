// Routes one request the way a sidecar (or the ingress gateway) configured by istiod would: take
// the route choice (route-choice.ts: VirtualService, first matching http rule, clusters and
// mirrors as pilot names them), choose a weighted cluster, resolve its subset through the
// DestinationRule, pick an endpoint round-robin. Pure apart from the randomness and round-robin
// cursors passed in.

import { selectDestinationRule, type BoundVirtualService, type RoutingTable } from './mesh-config.ts';
import { decideOutbound, type OutboundDecision } from './outbound.ts';
import { chooseRoute, clusterName, type ChoiceRequest, type ClusterRef, type MirrorCluster, type RouteChoice } from './route-choice.ts';
import type { Random } from './rng.ts';
import type { Service, Version } from './world.ts';

export type RouteRequest = ChoiceRequest;

/** The request reached a version's pod. */
export interface Served {
  kind: 'served';
  service: Service;
  version: Version;
  fqdn: string;
}

/** The proxy answered by itself; the request never reached a pod. */
export interface LocalReply {
  kind: 'local';
  code: number;
  /** Envoy response flag: NC no cluster, UH no healthy upstream, NR no route. */
  flag: '-' | 'NC' | 'UH' | 'NR';
  /** The destination service when the proxy knew it (it had a cluster for it). */
  service?: Service;
  fqdn?: string;
}

export type LiveOutcome = Served | LocalReply | OutboundDecision;

export interface Decision {
  live: LiveOutcome;
  /** Shadow copies that reached a pod; those that found no cluster or endpoint are dropped silently. */
  mirrors: Served[];
  /** `ns/name` of the VirtualService (or HTTPRoute) used, and the index of its http rule (or rule). */
  virtualService?: string;
  httpRoute?: string;
  rule?: number;
}

/** Round-robin cursors per cluster, kept between requests like Envoy's load balancer. */
export class RoundRobin {
  private readonly cursors = new Map<string, number>();
  next(cluster: string, size: number): number {
    const i = this.cursors.get(cluster) ?? 0;
    this.cursors.set(cluster, (i + 1) % size);
    return i % size;
  }
}

export interface RouteContext {
  table: RoutingTable;
  random: Random;
  lb: RoundRobin;
}

function labelsContain(pod: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => pod[k] === v);
}

/** Pick one endpoint among the versions' ready replicas, round-robin. */
function pickEndpoint(ctx: RouteContext, cluster: string, versions: Version[]): Version | undefined {
  const total = versions.reduce((n, v) => n + v.readyReplicas, 0);
  if (total === 0) return undefined;
  let i = ctx.lb.next(cluster, total);
  for (const v of versions) {
    if (i < v.readyReplicas) return v;
    i -= v.readyReplicas;
  }
  return undefined;
}

/**
 * The versions behind a cluster as the client's sidecar knows it, or undefined when pilot sends it
 * no such cluster (a host outside the registry, or a subset its DestinationRule lacks): Envoy's NC.
 */
export function clusterVersions(table: RoutingTable, cluster: ClusterRef, clientNamespace: string): { service: Service; versions: Version[] } | undefined {
  const service = table.servicesByFqdn.get(cluster.host);
  // Pilot builds a cluster for each port of the Service, none for any other port.
  if (!service?.ports.some((p) => p.port === cluster.port)) return undefined;
  if (cluster.subset === undefined) return { service, versions: service.versions };
  const dr = selectDestinationRule(table, cluster.host, clientNamespace, service.namespace);
  const subset = dr?.spec.subsets?.find((s) => s.name === cluster.subset);
  if (!subset) return undefined;
  return { service, versions: service.versions.filter((v) => labelsContain(v.labels, subset.labels ?? {})) };
}

/** Resolve a route cluster to a served version or the local reply Envoy would give. */
export function resolveCluster(ctx: RouteContext, cluster: ClusterRef, clientNamespace: string): Served | LocalReply {
  const fqdn = cluster.host;
  const known = clusterVersions(ctx.table, cluster, clientNamespace);
  if (!known) return { kind: 'local', code: 503, flag: 'NC', fqdn };
  const { service, versions } = known;
  const version = pickEndpoint(ctx, clusterName(cluster), versions);
  if (!version) return { kind: 'local', code: 503, flag: 'UH', service, fqdn };
  return { kind: 'served', service, version, fqdn };
}

/** Weighted choice: proportional to weight, zero never chosen, a lone destination gets everything. */
export function pickWeighted<T extends { weight?: number }>(route: readonly T[], random: Random): T | undefined {
  if (route.length <= 1) return route[0];
  const total = route.reduce((n, d) => n + Math.max(0, d.weight ?? 0), 0);
  if (total <= 0) return undefined;
  let r = random() * total;
  for (const d of route) {
    const w = Math.max(0, d.weight ?? 0);
    if (w > 0 && r < w) return d;
    r -= w;
  }
  return route.findLast((d) => (d.weight ?? 0) > 0);
}

/** The mirror clusters this request is shadowed to: each with its own share (Envoy rolls per policy). */
export function sampleMirrors(mirrors: readonly MirrorCluster[], random: Random): MirrorCluster[] {
  return mirrors.filter((m) => random() * 1_000_000 < m.perMillion);
}

function routeByChoice(ctx: RouteContext, choice: RouteChoice, req: RouteRequest): Decision {
  switch (choice.kind) {
    case 'outbound':
      return { live: decideOutbound(ctx.table, choice.host, { namespace: req.sourceNamespace, labels: {} }), mirrors: [] };
    case 'default':
      return { live: resolveCluster(ctx, choice.cluster, req.sourceNamespace), mirrors: [] };
    case 'noRoute':
      return { live: { kind: 'local', code: 404, flag: 'NR' }, mirrors: [], ...where(choice) };
    case 'local':
      return { live: { kind: 'local', code: choice.code, flag: '-' }, mirrors: [], ...where(choice), rule: choice.rule };
    case 'route': {
      const chosen = pickWeighted(choice.clusters, ctx.random);
      if (!chosen) return { live: { kind: 'local', code: 404, flag: 'NR' }, mirrors: [], ...where(choice), rule: choice.rule };
      const live = resolveCluster(ctx, chosen, req.sourceNamespace);
      // A request that finds no cluster is answered before the router shadows it.
      const mirrors =
        live.kind === 'local' && live.flag === 'NC'
          ? []
          : sampleMirrors(choice.mirrors, ctx.random)
              .map((m) => resolveCluster(ctx, m, req.sourceNamespace))
              .filter((o): o is Served => o.kind === 'served');
      return { live, mirrors, ...where(choice), rule: choice.rule };
    }
  }
}

function where(origin: { virtualService?: BoundVirtualService; httpRoute?: string }): { virtualService?: string; httpRoute?: string } {
  const bound = origin.virtualService;
  if (bound) return { virtualService: `${bound.namespace}/${bound.vs.metadata.name}` };
  return origin.httpRoute === undefined ? {} : { httpRoute: origin.httpRoute };
}

/** Route one request. `req.gateway` is `mesh` for sidecar traffic or the Gateway's `ns/name`. */
export function route(ctx: RouteContext, req: RouteRequest): Decision {
  return routeByChoice(ctx, chooseRoute(ctx.table, req), req);
}
