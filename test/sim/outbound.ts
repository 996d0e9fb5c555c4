// Where a sidecar sends a request for a host outside the service registry: a ServiceEntry's
// cluster, PassthroughCluster (ALLOW_ANY) or the `block_all` route's 502 (REGISTRY_ONLY), which
// Istio's telemetry labels BlackHoleCluster. The mode is the mesh config's (the world's
// `outboundTrafficPolicy`) unless the Sidecar that applies to the calling workload sets its own.

import { applicableSidecar, DEFAULT_ROOT_NAMESPACE, sidecarMode } from '../../src/istio/outbound-mode.ts';
import { selectServiceEntry, type RoutingTable } from './mesh-config.ts';
import type { OutboundMode } from './world.ts';

export type OutboundDecision =
  | { kind: 'outbound'; cluster: 'ServiceEntry'; host: string; serviceEntryNamespace: string }
  | { kind: 'outbound'; cluster: 'PassthroughCluster'; host: string }
  | { kind: 'outbound'; cluster: 'BlackHoleCluster'; host: string; code: 502 };

/** Who makes the call: its namespace and pod labels (Sidecar selectors match on them). */
export interface OutboundCaller {
  namespace: string;
  labels: Record<string, string>;
}

/**
 * The outbound mode of a workload: the applicable Sidecar's, else the world's per-namespace
 * shortcut (`namespacePolicies`), else the mesh-wide one (mesh config, else the world's). A
 * selector naming a label the workload lacks does not match.
 */
export function outboundModeFor(table: RoutingTable, caller: OutboundCaller): OutboundMode {
  const { sidecar } = applicableSidecar(table.sidecars, caller.namespace, DEFAULT_ROOT_NAMESPACE, caller.labels);
  const fromSidecar = sidecar ? sidecarMode(sidecar) : undefined;
  return fromSidecar ?? (sidecar ? undefined : table.world.namespacePolicies[caller.namespace]) ?? table.outboundMode;
}

export function decideOutbound(table: RoutingTable, host: string, caller: OutboundCaller, port = 80): OutboundDecision {
  const se = selectServiceEntry(table, host, caller.namespace, port);
  if (se) return { kind: 'outbound', cluster: 'ServiceEntry', host, serviceEntryNamespace: se.metadata.namespace ?? 'default' };
  if (outboundModeFor(table, caller) === 'ALLOW_ANY') return { kind: 'outbound', cluster: 'PassthroughCluster', host };
  return { kind: 'outbound', cluster: 'BlackHoleCluster', host, code: 502 };
}
