// Which parents of an HTTPRoute Istio serves, so the acceptance wait waits only for those. Istio's
// controller skips a parentRef it does not handle without a word (pilot/pkg/config/kube/gateway
// extractParentReferenceInfo: "maybe it is for another controller"): a Gateway that does not exist,
// or whose GatewayClass belongs to another controller, gets no entry in status.parents, ever. A
// class Istio builds in ("istio", "istio-waypoint", ...) needs no GatewayClass object
// (gatewaycommon FetchGatewayClass). Service and ServiceEntry parents are the mesh's: always Istio's.
// What cannot be read (a 403) counts as served: waiting for it is the safe side.
import type { HTTPRoute, ParentRef } from './types.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Controllers under which Istio generates routes for a Gateway's routes (gatewaycommon ClassInfos). */
const ROUTING_CONTROLLERS = new Set(['istio.io/gateway-controller', 'istio.io/mesh-controller', 'istio.io/eastwest-controller']);

/** Istio's own classes, which need no GatewayClass object, and their controllers. */
const BUILTIN_CLASSES: Record<string, string> = {
  istio: 'istio.io/gateway-controller',
  'istio-remote': 'istio.io/unmanaged-gateway',
  'istio-waypoint': 'istio.io/mesh-controller',
  'istio-east-west': 'istio.io/eastwest-controller',
};

/** A Gateway parent as read from the cluster: missing (404), unreadable (refused), or its class. */
export type Lookup<T> = 'missing' | 'unreadable' | T;

export interface GatewayFacts {
  gateway: Lookup<{ className: string }>;
  /** The GatewayClass's controllerName; undefined when the Gateway was not found or read. */
  gatewayClass?: Lookup<{ controller: string }>;
}

export interface GatewayKey {
  namespace: string;
  name: string;
}

export interface NotServed {
  ref: ParentRef;
  why: string;
}

const isGatewayRef = (ref: ParentRef) => (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway';
export const gatewayKeyOf = (route: HTTPRoute, ref: ParentRef): GatewayKey => ({ namespace: ref.namespace ?? route.metadata.namespace ?? '', name: ref.name });
export const keyText = (k: GatewayKey) => `${k.namespace}/${k.name}`;

/** The Gateways the route names as parents, once each: what the cluster must be asked about. */
export function gatewayParents(route: HTTPRoute): GatewayKey[] {
  const keys = (route.spec.parentRefs ?? []).filter(isGatewayRef).map((ref) => gatewayKeyOf(route, ref));
  return keys.filter((k, i) => keys.findIndex((o) => keyText(o) === keyText(k)) === i);
}

/** Why Istio does not serve a Gateway parent, or undefined when it does (or may). */
function whyNotServed(key: GatewayKey, facts: GatewayFacts | undefined): string | undefined {
  if (facts === undefined || facts.gateway === 'unreadable') return undefined;
  const gateway = `Gateway ${keyText(key)}`;
  if (facts.gateway === 'missing') return `${gateway} does not exist`;
  const className = facts.gateway.className;
  const found = facts.gatewayClass;
  if (found === 'unreadable') return undefined;
  const controller = found === undefined || found === 'missing' ? BUILTIN_CLASSES[className] : found.controller;
  if (controller === undefined) return `${gateway} is of GatewayClass ${className}, which does not exist`;
  if (ROUTING_CONTROLLERS.has(controller)) return undefined;
  // Istio's other controllers (agentgateway) report routes in ways not read here: wait for them.
  if (controller.startsWith('istio.io/') && controller !== 'istio.io/unmanaged-gateway') return undefined;
  return `${gateway} is of GatewayClass ${className}, whose controller ${controller} is not one Istio programs routes for`;
}

/** The parentRefs of `route` Istio will never report on, each with the reason. */
export function parentsNotServed(route: HTTPRoute, facts: ReadonlyMap<string, GatewayFacts>): NotServed[] {
  return (route.spec.parentRefs ?? []).flatMap((ref) => {
    if (!isGatewayRef(ref)) return [];
    const key = gatewayKeyOf(route, ref);
    const why = whyNotServed(key, facts.get(keyText(key)));
    return why === undefined ? [] : [{ ref, why }];
  });
}
