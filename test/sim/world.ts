// The simulated world: what Kubernetes and the mesh config would know besides Istio's CRDs
// (the API server serves CRDs only, no Pods or Services). Plain data; see world-parse.ts.

export type OutboundMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** A latency distribution in milliseconds: lognormal fixed by its median and 99th percentile. */
export interface Latency {
  medianMs: number;
  p99Ms: number;
}

/** An outbound call a version makes to a host outside the mesh while serving a request. */
export interface OutboundCall {
  host: string;
  /** Port called (the sidecar's outbound listener); default 80. A ServiceEntry must list it. */
  port: number;
  /** Share of served requests that make this call, 0..1. */
  share: number;
}

/** How a version behaves when it serves a request. */
export interface Profile {
  /** Share of requests answered with `errorCode`, 0..1. */
  errorRatio: number;
  errorCode: number;
  latency: Latency;
  outbound: OutboundCall[];
}

export interface Version {
  /** Name used in the control API and stats, e.g. `v1`. */
  name: string;
  /** Pod labels; DestinationRule subsets select on these. `version` feeds destination_version. */
  labels: Record<string, string>;
  readyReplicas: number;
  /** Workload name and namespace as telemetry reports them, e.g. `catalog-v1`. */
  workload: string;
  workloadNamespace: string;
  profile: Profile;
}

/** An extra request header some share of the load carries (the dark-launch cohort). */
export interface HeaderShare {
  name: string;
  value: string;
  share: number;
}

/** Send the load through an ingress gateway instead of from a mesh client. */
export interface ViaGateway {
  /** `namespace/name` of the Gateway resource the VirtualServices bind to. */
  gateway: string;
  /** Host the external client asks for, e.g. `catalog.istioinaction.io`. */
  host: string;
  /** Port the external client connects to (a listener of the gateway); the parser fills in 80. */
  port?: number;
}

export interface Load {
  requestsPerSecond: number;
  /** Calling workload (for mesh traffic) as `namespace/workload`. */
  from: string;
  /** The Service port mesh clients call (one of the service's ports); default 80. */
  port: number;
  uri: string;
  headers: HeaderShare[];
  via?: ViaGateway;
  paused: boolean;
}

/**
 * Who handles L7 traffic to a service: the client's `sidecar` (reports `source`, the server's
 * sidecar `destination`), or the service's ambient `waypoint` (reports `waypoint`; ztunnel has no
 * L7 metrics).
 */
export type DataPlane = 'sidecar' | 'waypoint';

/** A port of the Kubernetes Service: clients call `port`, the pods serve on `targetPort`. */
export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
}

/** The Service's ports when the world names none: Istio's default HTTP port. */
export const DEFAULT_SERVICE_PORTS: readonly ServicePort[] = [{ name: 'http', port: 80, targetPort: 80 }];

export interface Service {
  namespace: string;
  name: string;
  /** Default one port, `http` 80 → 80. A cluster on any other port does not exist (503 NC). */
  ports: ServicePort[];
  versions: Version[];
  load: Load;
  /** Default `sidecar`. */
  dataPlane: DataPlane;
}

export interface Gateway {
  /** `namespace/name` of the Gateway resource. */
  id: string;
  workload: string;
  workloadNamespace: string;
}

export interface World {
  clusterDomain: string;
  /** Mesh-wide default, like `outboundTrafficPolicy.mode` in the `istio` ConfigMap. */
  outboundTrafficPolicy: OutboundMode;
  /** Per-namespace override where no Sidecar object applies (a Sidecar in the API server wins). */
  namespacePolicies: Record<string, OutboundMode>;
  services: Service[];
  gateways: Gateway[];
}

export function serviceFqdn(world: Pick<World, 'clusterDomain'>, namespace: string, name: string): string {
  return `${name}.${namespace}.svc.${world.clusterDomain}`;
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

