// Objects of any kind as the plan handles them: a reference (kind, namespace, name) and the content.
// Every routing API (Istio, Gateway API, ServiceEntries for egress) is one of these to the plan,
// the engine and the ports; only a routing backend knows what is inside `spec`.
import type { ObjectMeta } from '../istio/types.ts';

export interface ObjectRef {
  /** group/version the object is read and written as, e.g. `networking.istio.io/v1`. */
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface RoutingObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  [key: string]: unknown;
}

/** Map key of an object: the same object whatever its apiVersion. */
export function refKey(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** `VirtualService shop/catalog`, the way messages name an object. */
export function describeRef(ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/** The reference of an object; `namespace` fills in one a manifest file left out. */
export function refOf(object: RoutingObject, namespace = ''): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace ?? namespace, name: object.metadata.name };
}

export const sameRef = (a: ObjectRef, b: ObjectRef): boolean => refKey(a) === refKey(b);

/** Labels on the objects a release creates (never on ones it only edits), so they can be listed. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'istio-canary';
export const CANARY_LABEL = 'istio-canary.dev/canary';

export function ownedLabels(canaryName: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [CANARY_LABEL]: canaryName };
}
