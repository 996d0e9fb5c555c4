// The Istio configuration the simulator has seen in the API server, and the routing table built
// from it and the world. Building is done once per change so each request only looks things up.

import type { DestinationRule, ServiceEntry, VirtualService } from '../../src/istio/types.ts';
import { hostMatches, hostSpecificity, qualifyHost } from './hosts.ts';
import { serviceFqdn, type Gateway, type Service, type World } from './world.ts';

export interface MeshConfig {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  serviceEntries: ServiceEntry[];
}

export const EMPTY_CONFIG: MeshConfig = { virtualServices: [], destinationRules: [], serviceEntries: [] };

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
        hosts: (vs.spec.hosts ?? []).map((h) => qualifyHost(h, ns, domain)),
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
    rejected,
  };
}

/**
 * The VirtualService that routes `host` for traffic entering at `gateway` (`mesh` for sidecars):
 * the most specific host match wins, ties go to the oldest object (Istio leaves two VirtualServices
 * for one host undefined; this is one stable choice).
 */
export function selectVirtualService(table: RoutingTable, host: string, gateway: string): BoundVirtualService | undefined {
  let best: BoundVirtualService | undefined;
  let bestScore = -1;
  for (const bound of table.virtualServices) {
    if (!bound.gateways.includes(gateway)) continue;
    for (const pattern of bound.hosts) {
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

/**
 * The DestinationRule for a service host as seen from a client namespace: Istio looks in the
 * client's namespace first, then the service's, then anywhere (the root namespace).
 */
export function selectDestinationRule(table: RoutingTable, fqdn: string, clientNamespace: string, serviceNamespace: string): DestinationRule | undefined {
  const domain = table.world.clusterDomain;
  const candidates = table.destinationRules.filter((dr) => hostMatches(qualifyHost(dr.spec.host, namespaceOf(dr), domain), fqdn));
  return (
    candidates.find((dr) => namespaceOf(dr) === clientNamespace) ??
    candidates.find((dr) => namespaceOf(dr) === serviceNamespace) ??
    candidates[0]
  );
}

/** The ServiceEntry that registers an external host, if any. */
export function selectServiceEntry(table: RoutingTable, host: string): ServiceEntry | undefined {
  return table.serviceEntries.find((se) => (se.spec.hosts ?? []).some((pattern) => hostMatches(pattern, host)));
}
