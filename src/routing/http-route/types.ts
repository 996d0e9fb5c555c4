// The Kubernetes Gateway API's HTTPRoute (gateway.networking.k8s.io/v1) as plain data: the fields
// istio-canary reads or writes are typed, everything else is carried through untouched.

export const HTTP_ROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface ParentRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
  sectionName?: string;
}

export interface PathMatch {
  type?: 'Exact' | 'PathPrefix' | 'RegularExpression';
  value?: string;
}

export interface NameValueMatch {
  type?: 'Exact' | 'RegularExpression';
  name: string;
  value: string;
}

export interface RouteMatch {
  path?: PathMatch;
  headers?: NameValueMatch[];
  queryParams?: NameValueMatch[];
  method?: string;
  [key: string]: unknown;
}

/** A reference to a backend (a Service unless group/kind say otherwise). */
export interface BackendObjectRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface BackendRef extends BackendObjectRef {
  weight?: number;
  filters?: RouteFilter[];
  [key: string]: unknown;
}

export interface RequestMirror {
  backendRef: BackendObjectRef;
  percent?: number;
  fraction?: { numerator: number; denominator?: number };
  [key: string]: unknown;
}

export interface RouteFilter {
  type: string;
  requestMirror?: RequestMirror;
  [key: string]: unknown;
}

export interface RouteRule {
  name?: string;
  matches?: RouteMatch[];
  filters?: RouteFilter[];
  backendRefs?: BackendRef[];
  [key: string]: unknown;
}

export interface RouteParentStatus {
  parentRef: ParentRef;
  controllerName: string;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string; observedGeneration?: number; [key: string]: unknown }>;
}

export interface HTTPRoute {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: ObjectMeta;
  spec: {
    parentRefs?: ParentRef[];
    hostnames?: string[];
    rules?: RouteRule[];
    [key: string]: unknown;
  };
  status?: { parents?: RouteParentStatus[]; [key: string]: unknown };
}

/** The Services of one release: HTTPRoute has no subsets, so each version is its own Service. */
export interface ServicePair {
  /** Namespace of the HTTPRoute; backendRefs without a namespace are Services of this namespace. */
  namespace: string;
  stable: string;
  canary: string;
}
