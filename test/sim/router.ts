// Routes one request the way a sidecar (or the ingress gateway) configured by istiod would:
// pick the VirtualService for the host, take the first matching http rule, choose a weighted
// destination, resolve its subset through the DestinationRule, pick an endpoint round-robin.
// Pure apart from the randomness and round-robin cursors passed in.

import type { Destination, HttpRoute } from '../../src/istio/types.ts';
import { qualifyHost } from './hosts.ts';
import { selectDestinationRule, selectVirtualService, type BoundVirtualService, type RoutingTable } from './mesh-config.ts';
import { ruleMatches, type MatchableRequest } from './match.ts';
import { decideOutbound, type OutboundDecision } from './outbound.ts';
import type { Random } from './rng.ts';
import type { Service, Version } from './world.ts';

export interface RouteRequest extends MatchableRequest {
  /** The host asked for: a service FQDN for mesh traffic, the external name for gateway traffic. */
  host: string;
}

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
  /** `ns/name` of the VirtualService used, and the index of its http rule. */
  virtualService?: string;
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

/** Resolve a route destination to a served version or the local reply Envoy would give. */
export function resolveDestination(ctx: RouteContext, dest: Destination, vsNamespace: string, clientNamespace: string): Served | LocalReply {
  const fqdn = qualifyHost(dest.host, vsNamespace, ctx.table.world.clusterDomain);
  const service = ctx.table.servicesByFqdn.get(fqdn);
  if (!service) return { kind: 'local', code: 503, flag: 'NC', fqdn };
  let versions = service.versions;
  if (dest.subset !== undefined) {
    const dr = selectDestinationRule(ctx.table, fqdn, clientNamespace, service.namespace);
    const subset = dr?.spec.subsets?.find((s) => s.name === dest.subset);
    if (!subset) return { kind: 'local', code: 503, flag: 'NC', fqdn };
    versions = versions.filter((v) => labelsContain(v.labels, subset.labels ?? {}));
  }
  const version = pickEndpoint(ctx, `${fqdn}|${dest.subset ?? ''}`, versions);
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

/** `mirror` + `mirrorPercentage` or `mirrors[]`, each with its percentage (unset = 100 %). */
export function mirrorTargets(rule: HttpRoute, random: Random): Destination[] {
  const chosen: Destination[] = [];
  const roll = (pct: number | undefined) => random() * 100 < (pct ?? 100);
  if (rule.mirror && roll(rule.mirrorPercentage?.value)) chosen.push(rule.mirror);
  for (const m of (rule.mirrors ?? []) as Array<{ destination?: Destination; percentage?: { value?: number } }>) {
    if (m.destination && roll(m.percentage?.value)) chosen.push(m.destination);
  }
  return chosen;
}

function localFromRule(rule: HttpRoute): LocalReply | undefined {
  if (rule.directResponse) return { kind: 'local', code: Number((rule.directResponse as { status?: number }).status ?? 200), flag: '-' };
  if (rule.redirect) return { kind: 'local', code: Number((rule.redirect as { redirectCode?: number }).redirectCode ?? 301), flag: '-' };
  return undefined;
}

function routeWithVirtualService(ctx: RouteContext, bound: BoundVirtualService, req: RouteRequest): Decision {
  const name = `${bound.namespace}/${bound.vs.metadata.name}`;
  const rules = bound.vs.spec.http ?? [];
  const index = rules.findIndex((r) => ruleMatches(r.match, req, bound.namespace));
  if (index < 0) return { live: { kind: 'local', code: 404, flag: 'NR' }, mirrors: [], virtualService: name };
  const rule = rules[index]!;
  const local = localFromRule(rule);
  if (local) return { live: local, mirrors: [], virtualService: name, rule: index };
  const chosen = pickWeighted(rule.route ?? [], ctx.random);
  if (!chosen) return { live: { kind: 'local', code: 404, flag: 'NR' }, mirrors: [], virtualService: name, rule: index };
  const live = resolveDestination(ctx, chosen.destination, bound.namespace, req.sourceNamespace);
  // A request that finds no cluster is answered before the router shadows it.
  const mirrors =
    live.kind === 'local' && live.flag === 'NC'
      ? []
      : mirrorTargets(rule, ctx.random)
          .map((d) => resolveDestination(ctx, d, bound.namespace, req.sourceNamespace))
          .filter((o): o is Served => o.kind === 'served');
  return { live, mirrors, virtualService: name, rule: index };
}

/** Route one request. `req.gateway` is `mesh` for sidecar traffic or the Gateway's `ns/name`. */
export function route(ctx: RouteContext, req: RouteRequest): Decision {
  const bound = selectVirtualService(ctx.table, req.host, req.gateway);
  if (bound) return routeWithVirtualService(ctx, bound, req);
  if (req.gateway !== 'mesh') return { live: { kind: 'local', code: 404, flag: 'NR' }, mirrors: [] };
  if (ctx.table.servicesByFqdn.has(req.host)) {
    return { live: resolveDestination(ctx, { host: req.host }, req.sourceNamespace, req.sourceNamespace), mirrors: [] };
  }
  return { live: decideOutbound(ctx.table, req.host, req.sourceNamespace), mirrors: [] };
}
