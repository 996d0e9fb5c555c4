// Where a sidecar sends a request for a host outside the service registry: a ServiceEntry's
// cluster, PassthroughCluster (ALLOW_ANY) or BlackHoleCluster with a 502 (REGISTRY_ONLY).

import { selectServiceEntry, type RoutingTable } from './mesh-config.ts';
import { outboundModeFor } from './world.ts';

export type OutboundDecision =
  | { kind: 'outbound'; cluster: 'ServiceEntry'; host: string; serviceEntryNamespace: string }
  | { kind: 'outbound'; cluster: 'PassthroughCluster'; host: string }
  | { kind: 'outbound'; cluster: 'BlackHoleCluster'; host: string; code: 502 };

export function decideOutbound(table: RoutingTable, host: string, sourceNamespace: string): OutboundDecision {
  const se = selectServiceEntry(table, host);
  if (se) return { kind: 'outbound', cluster: 'ServiceEntry', host, serviceEntryNamespace: se.metadata.namespace ?? 'default' };
  if (outboundModeFor(table.world, sourceNamespace) === 'ALLOW_ANY') return { kind: 'outbound', cluster: 'PassthroughCluster', host };
  return { kind: 'outbound', cluster: 'BlackHoleCluster', host, code: 502 };
}
