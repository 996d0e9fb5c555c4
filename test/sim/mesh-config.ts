// The Istio configuration the simulator has seen in the API server, and the routing table built
// from it and the world. Building is done once per change so each request only looks things up.

import type { DestinationRule, ServiceEntry, Sidecar, VirtualService } from '../../src/istio/types.ts';
import { resolveHost } from '../../src/istio/hosts.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import type { KubeGateway, ReferenceGrant } from './gateway-api.ts';
import { hostMatches, hostSpecificity } from './hosts.ts';
import { serviceFqdn, type Gateway, type OutboundMode, type Service, type World } from './world.ts';

export interface MeshConfig {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  serviceEntries: ServiceEntry[];
  /** Gateway API HTTPRoutes (gateway.networking.k8s.io/v1); optional so VirtualService-only callers need not list them. */
  httpRoutes?: HTTPRoute[];
  /** Gateway API Gateways (their listeners bind Gateway-parent routes) and ReferenceGrants. */
  kubeGateways?: KubeGateway[];
  referenceGrants?: ReferenceGrant[];
  /** Sidecars: only their workloadSelector and outboundTrafficPolicy are simulated. */
  sidecars?: Sidecar[];
  /** outboundTrafficPolicy.mode of the mesh config (ConfigMap istio), when there is one; else the world's. */
  outboundMode?: OutboundMode | undefined;
}

export const EMPTY_CONFIG: MeshConfig = { virtualServices: [], destinationRules: [], serviceEntries: [], httpRoutes: [], kubeGateways: [], referenceGrants: [], sidecars: [] };

/** A VirtualService with its hosts and gateways already qualified. */
export interface BoundVirtualService {
  vs: VirtualService;
  namespace: string;
  hosts: string[];
  /** Qualified gateway ids (`ns/name`) plus `mesh` when it applies to sidecars. */
  gateways: string[];
}

export interface RoutingTable {
  world: World;
  servicesByFqdn: Map<string, Service>;
  gatewaysById: Map<string, Gateway>;
  virtualServices: BoundVirtualService[];
  destinationRules: DestinationRule[];
  serviceEntries: ServiceEntry[];
  httpRoutes: HTTPRoute[];
  kubeGateways: KubeGateway[];
  referenceGrants: ReferenceGrant[];
  sidecars: Sidecar[];
  /** The mesh-wide outbound mode: the mesh config's, else the world's. */
  outboundMode: OutboundMode;
  /** VirtualServices istiod's validation would reject, which therefore never take effect. */
  rejected: Array<{ name: string; reason: string }>;
}

function namespaceOf(o: { metadata: { namespace?: string } }): string {
  return o.metadata.namespace ?? 'default';
}

function qualifyGateway(gateway: string, namespace: string): string {
  if (gateway === 'mesh') return 'mesh';
  return gateway.includes('/') ? gateway : `${namespace}/${gateway}`;
}

/** Why istiod's validation would reject this VirtualService's routes, or undefined if it would not. */
function rejection(vs: VirtualService): string | undefined {
  for (const [i, rule] of (vs.spec.http ?? []).entries()) {
    const route = rule.route ?? [];
    if (route.length > 1 && route.reduce((sum, d) => sum + (d.weight ?? 0), 0) <= 0) {
      return `http[${i}]: total destination weight = 0`;
    }
    if (route.some((d) => (d.weight ?? 0) < 0)) return `http[${i}]: weight must be >= 0`;
    if (rule.mirror !== undefined && rule.mirrors !== undefined) return `http[${i}]: mirror and mirrors are mutually exclusive`;
  }
  return undefined;
}

function creationOrder(a: { metadata: Record<string, unknown> }, b: { metadata: Record<string, unknown> }): number {
  const ta = String(a.metadata.creationTimestamp ?? '');
  const tb = String(b.metadata.creationTimestamp ?? '');
  return ta === tb ? String(a.metadata.name).localeCompare(String(b.metadata.name)) : ta.localeCompare(tb);
}

export function buildTable(world: World, config: MeshConfig): RoutingTable {
  const domain = world.clusterDomain;
  const rejected: RoutingTable['rejected'] = [];
  const virtualServices = [...config.virtualServices]
    .sort(creationOrder)
    .filter((vs) => {
      const reason = rejection(vs);
      if (reason) rejected.push({ name: `${namespaceOf(vs)}/${vs.metadata.name}`, reason });
      return reason === undefined;
    })
    .map((vs) => {
      const ns = namespaceOf(vs);
      return {
        vs,
        namespace: ns,
        hosts: (vs.spec.hosts ?? []).map((h) => resolveHost(h, ns, domain)),
        gateways: (vs.spec.gateways ?? ['mesh']).map((g) => qualifyGateway(g, ns)),
      };
    });
  return {
    world,
    servicesByFqdn: new Map(world.services.map((s) => [serviceFqdn(world, s.namespace, s.name), s])),
    gatewaysById: new Map(world.gateways.map((g) => [g.id, g])),
    virtualServices,
    destinationRules: [...config.destinationRules].sort(creationOrder),
    serviceEntries: [...config.serviceEntries].sort(creationOrder),
    httpRoutes: [...(config.httpRoutes ?? [])],
    kubeGateways: [...(config.kubeGateways ?? [])],
    referenceGrants: [...(config.referenceGrants ?? [])],
    sidecars: [...(config.sidecars ?? [])],
    outboundMode: config.outboundMode ?? world.outboundTrafficPolicy,
    rejected,
  };
}

/**
 * Is an object with this `exportTo` visible to `clientNamespace`? Unset (the mesh default) and
 * `*` mean everywhere, `.` its own namespace, `~` nowhere.
 */
export function exportedTo(exportTo: unknown, ownNamespace: string, clientNamespace: string): boolean {
  if (!Array.isArray(exportTo) || exportTo.length === 0) return true;
  return exportTo.some((e) => e === '*' || e === clientNamespace || (e === '.' && ownNamespace === clientNamespace));
}

/**
 * The VirtualService that routes `host` for traffic entering at `gateway` (`mesh` for sidecars),
 * among those exported to the client's namespace: the most specific host match wins, ties go to
 * the oldest object (Istio leaves two VirtualServices for one host undefined; this is one stable
 * choice). `exact` considers only hosts written without a wildcard; `applies` can rule objects out.
 */
export function selectVirtualService(
  table: RoutingTable,
  host: string,
  gateway: string,
  clientNamespace: string,
  mode: 'exact' | 'any' = 'any',
  applies: (bound: BoundVirtualService) => boolean = () => true,
): BoundVirtualService | undefined {
  let best: BoundVirtualService | undefined;
  let bestScore = -1;
  for (const bound of table.virtualServices) {
    if (!bound.gateways.includes(gateway) || !applies(bound)) continue;
    if (gateway === 'mesh' && !exportedTo(bound.vs.spec.exportTo, bound.namespace, clientNamespace)) continue;
    for (const pattern of bound.hosts) {
      if (mode === 'exact' && pattern.startsWith('*')) continue;
      if (!hostMatches(pattern, host)) continue;
      const score = hostSpecificity(pattern);
      if (score > bestScore) {
        best = bound;
        bestScore = score;
      }
    }
  }
  return best;
}

/** Istio's root namespace (meshConfig.rootNamespace): its DestinationRules apply mesh-wide. */
export const ROOT_NAMESPACE = 'istio-system';

/**
 * The DestinationRule for a service host as pilot picks it for a client: the most specific
 * matching rule of the client's namespace, else of the service's namespace, else of the root
 * namespace (only rules exported to the client count outside its namespace). Rules for the same
 * host in one namespace are merged, the oldest first, as pilot does. Hosts resolve as in a
 * VirtualService: `catalog.prod` is literal and never names `catalog.prod.svc.cluster.local`.
 */
export function selectDestinationRule(table: RoutingTable, fqdn: string, clientNamespace: string, serviceNamespace: string): DestinationRule | undefined {
  const domain = table.world.clusterDomain;
  const fromNamespace = (ns: string): DestinationRule | undefined => {
    const candidates = table.destinationRules.filter(
      (dr) =>
        namespaceOf(dr) === ns &&
        dr.spec.workloadSelector === undefined &&
        (ns === clientNamespace || exportedTo(dr.spec.exportTo, ns, clientNamespace)) &&
        hostMatches(resolveHost(dr.spec.host, ns, domain), fqdn),
    );
    if (candidates.length === 0) return undefined;
    const specificity = (dr: DestinationRule) => hostSpecificity(resolveHost(dr.spec.host, ns, domain));
    const best = Math.max(...candidates.map(specificity));
    const chosen = candidates.filter((dr) => specificity(dr) === best);
    return chosen.length === 1 ? chosen[0] : mergeDestinationRules(chosen);
  };
  return fromNamespace(clientNamespace) ?? fromNamespace(serviceNamespace) ?? fromNamespace(ROOT_NAMESPACE);
}

/** Pilot's merge of rules for one host: the oldest keeps its policy, later ones add subsets with new names. */
function mergeDestinationRules(rules: DestinationRule[]): DestinationRule {
  const [first, ...rest] = rules as [DestinationRule, ...DestinationRule[]];
  const subsets = [...(first.spec.subsets ?? [])];
  for (const dr of rest) {
    for (const subset of dr.spec.subsets ?? []) {
      if (!subsets.some((s) => s.name === subset.name)) subsets.push(subset);
    }
  }
  return { ...first, spec: { ...first.spec, subsets } };
}

/**
 * The ServiceEntry through which a sidecar in `clientNamespace` reaches `host` on `port`: one
 * exported to that namespace, listing the host (exact or `*.suffix`) and the port. An entry for the
 * host on another port builds no route on this port's listener, so the call falls to the catch-all
 * (Passthrough or block_all). The most specific host wins, then the oldest entry.
 */
export function selectServiceEntry(table: RoutingTable, host: string, clientNamespace: string, port = 80): ServiceEntry | undefined {
  let best: ServiceEntry | undefined;
  let bestScore = -1;
  for (const se of table.serviceEntries) {
    if (!exportedTo(se.spec.exportTo, namespaceOf(se), clientNamespace)) continue;
    if (!(se.spec.ports ?? []).some((p) => p.number === port)) continue;
    for (const pattern of se.spec.hosts ?? []) {
      if (!hostMatches(pattern, host)) continue;
      const score = hostSpecificity(pattern);
      if (score > bestScore) {
        best = se;
        bestScore = score;
      }
    }
  }
  return best;
}
