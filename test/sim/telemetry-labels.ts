// Which labels each proxy puts on a request, following Istio's stats filter: the client's
// sidecar reports `source`, the server's reports `destination`; what a proxy cannot know is
// `unknown` (no peer metadata without a reached pod, no service metadata without a cluster).

import type { OutboundDecision } from './outbound.ts';
import type { LocalReply, Served } from './router.ts';
import type { IstioLabels } from './telemetry.ts';

export interface Caller {
  workload: string;
  namespace: string;
}

const UNKNOWN = 'unknown';

/** `waypoint`: an ambient waypoint proxy, the one L7 reporter for a service it serves. */
export type Reporter = 'source' | 'destination' | 'waypoint';

function base(reporter: Reporter, caller: Caller, code: number, flag: string): IstioLabels {
  return {
    reporter,
    source_workload: caller.workload,
    source_workload_namespace: caller.namespace,
    destination_workload: UNKNOWN,
    destination_workload_namespace: UNKNOWN,
    destination_version: UNKNOWN,
    destination_service: UNKNOWN,
    destination_service_name: UNKNOWN,
    destination_service_namespace: UNKNOWN,
    response_code: String(code),
    response_flags: flag,
    request_protocol: 'http',
    // The client's proxy does not report the policy; the server's sees the mTLS connection.
    connection_security_policy: reporter === 'source' ? UNKNOWN : 'mutual_tls',
  };
}

/** A request that reached a pod, as `reporter` saw it. */
export function servedLabels(reporter: Reporter, caller: Caller, served: Served, code: number): IstioLabels {
  return {
    ...base(reporter, caller, code, '-'),
    destination_workload: served.version.workload,
    destination_workload_namespace: served.version.workloadNamespace,
    destination_version: served.version.labels.version ?? UNKNOWN,
    destination_service: served.fqdn,
    destination_service_name: served.service.name,
    destination_service_namespace: served.service.namespace,
  };
}

/**
 * A reply the client's proxy made itself (NC, UH, NR, direct response): only `source` reports it.
 * With a cluster (UH) the proxy knows the service; without one (NC, NR) it has only the host.
 */
export function localLabels(caller: Caller, reply: LocalReply, requestedHost: string, reporter: 'source' | 'waypoint' = 'source'): IstioLabels {
  const labels = base(reporter, caller, reply.code, reply.flag);
  if (reply.service) {
    return { ...labels, destination_service: reply.fqdn ?? requestedHost, destination_service_name: reply.service.name, destination_service_namespace: reply.service.namespace };
  }
  const host = reply.fqdn ?? requestedHost;
  return { ...labels, destination_service: host, destination_service_name: host };
}

/** A call to a host outside the mesh: only the caller's proxy reports it. */
export function outboundLabels(caller: Caller, decision: OutboundDecision, code: number): IstioLabels {
  const labels = base('source', caller, code, '-');
  if (decision.cluster === 'ServiceEntry') {
    return { ...labels, destination_service: decision.host, destination_service_name: decision.host, destination_service_namespace: decision.serviceEntryNamespace };
  }
  return { ...labels, destination_service: decision.host, destination_service_name: decision.cluster };
}
