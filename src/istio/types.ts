// Istio objects as the API server stores them. Only the fields the canary reads or writes are
// typed; everything else rides along untouched in the index signatures.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: unknown;
  subresource?: string;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number };
  [key: string]: unknown;
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
  [key: string]: unknown;
}

export interface HttpRoute {
  name?: string;
  match?: Array<Record<string, unknown>>;
  route?: RouteDestination[];
  mirror?: Destination;
  mirrors?: unknown[];
  mirrorPercentage?: { value: number };
  redirect?: unknown;
  directResponse?: unknown;
  delegate?: unknown;
  [key: string]: unknown;
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: ObjectMeta;
  spec: {
    hosts?: string[];
    gateways?: string[];
    http?: HttpRoute[];
    tcp?: unknown[];
    tls?: unknown[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: unknown;
  [key: string]: unknown;
}

export interface DestinationRule {
  apiVersion: string;
  kind: 'DestinationRule';
  metadata: ObjectMeta;
  spec: {
    host: string;
    subsets?: Subset[];
    trafficPolicy?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface ServicePort {
  number: number;
  name: string;
  protocol?: string;
  targetPort?: number;
  [key: string]: unknown;
}

export interface ServiceEntry {
  apiVersion: string;
  kind: 'ServiceEntry';
  metadata: ObjectMeta;
  spec: {
    hosts: string[];
    ports?: ServicePort[];
    location?: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
    resolution?: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
    exportTo?: string[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** The outbound policy a Sidecar sets for the workloads it applies to (istio.io/api networking v1 Sidecar). */
export type OutboundTrafficMode = 'ALLOW_ANY' | 'REGISTRY_ONLY';

export interface Sidecar {
  apiVersion: string;
  kind: 'Sidecar';
  metadata: ObjectMeta;
  spec: {
    workloadSelector?: { labels?: Record<string, string> };
    outboundTrafficPolicy?: { mode?: OutboundTrafficMode; [key: string]: unknown };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export type IstioObject = VirtualService | DestinationRule | ServiceEntry;

/** The API version we write. v1 is served since Istio 1.22 and stored since 1.27. */
export const ISTIO_API_VERSION = 'networking.istio.io/v1';
