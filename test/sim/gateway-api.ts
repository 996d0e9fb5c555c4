// Which listeners of which Gateway an HTTPRoute's parentRef binds to, and whether a route may send
// to a Service of another namespace, as Istio's Gateway API controller decides
// (pilot/pkg/config/kube/gateway: referenceAllowed, createRouteStatus; gatewaycommon: allowed
// kinds, ReferenceGrants). Pure: the Gateways and ReferenceGrants come from the API server.

import type { HTTPRoute, ParentRef } from '../../src/routing/http-route/types.ts';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Istio's own class for ingress Gateways (a Gateway of another class is another controller's). */
export const ISTIO_GATEWAY_CLASS = 'istio';

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface Listener {
  name: string;
  port: number;
  protocol: string;
  hostname?: string;
  allowedRoutes?: { namespaces?: { from?: string }; kinds?: RouteGroupKind[] };
}

/** A Gateway API Gateway (gateway.networking.k8s.io/v1), the fields routing reads. */
export interface KubeGateway {
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec: { gatewayClassName: string; listeners: Listener[] };
}

/** A ReferenceGrant (gateway.networking.k8s.io/v1beta1): lives in the namespace it opens. */
export interface ReferenceGrant {
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec: { from: Array<{ group: string; kind: string; namespace: string }>; to: Array<{ group: string; kind: string; name?: string }> };
}

/** Why a parent (one listener, or the mesh) does not take the route: Istio's reasons. */
export type DeniedReason = 'NoMatchingParent' | 'NotAllowedByListeners' | 'NoMatchingListenerHostname';

export interface Denial {
  reason: DeniedReason;
  message: string;
}

export function namespaceOf(o: { metadata: { namespace?: string } }): string {
  return o.metadata.namespace ?? 'default';
}

export function isServiceParent(p: ParentRef): boolean {
  return (p.group === '' || p.group === 'core') && p.kind === 'Service';
}

export function isGatewayParent(p: ParentRef): boolean {
  return (p.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (p.kind ?? 'Gateway') === 'Gateway';
}

export function gatewayId(g: KubeGateway): string {
  return `${namespaceOf(g)}/${g.metadata.name}`;
}

/** The Istio Gateway a parentRef names, if Istio's controller owns one by that name. */
export function parentGateway(route: HTTPRoute, p: ParentRef, gateways: readonly KubeGateway[]): KubeGateway | undefined {
  if (!isGatewayParent(p)) return undefined;
  const id = `${p.namespace ?? namespaceOf(route)}/${p.name}`;
  return gateways.find((g) => gatewayId(g) === id && g.spec.gatewayClassName === ISTIO_GATEWAY_CLASS);
}

/** Istio's host.Name Matches: equal, or either one a wildcard covering the other (`*` covers all). */
export function hostnamesOverlap(a: string, b: string): boolean {
  if (a === b) return true;
  const aWild = a.startsWith('*');
  const bWild = b.startsWith('*');
  if (aWild && bWild) return a.length > b.length ? a.endsWith(b.slice(1)) : b.endsWith(a.slice(1));
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return false;
}

/** The route kinds a listener admits: HTTPRoute and GRPCRoute on HTTP(S), narrowed by allowedRoutes.kinds. */
function admitsHttpRoute(l: Listener): boolean {
  if (l.protocol !== 'HTTP' && l.protocol !== 'HTTPS') return false;
  const kinds = l.allowedRoutes?.kinds ?? [];
  return kinds.length === 0 || kinds.some((k) => k.kind === 'HTTPRoute' && (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP);
}

/** Namespaces whose routes a listener admits (`Same` by default); `Selector` needs Namespace labels the world has not. */
function admitsNamespace(l: Listener, gatewayNamespace: string, routeNamespace: string): boolean {
  const from = l.allowedRoutes?.namespaces?.from ?? 'Same';
  return from === 'All' || (from === 'Same' && routeNamespace === gatewayNamespace);
}

/** Istio's referenceAllowed for one listener: undefined when the listener takes the route. */
export function listenerDenial(route: HTTPRoute, p: ParentRef, gateway: KubeGateway, l: Listener): Denial | undefined {
  if (p.port !== undefined && p.port !== l.port) return { reason: 'NoMatchingParent', message: `port ${p.port} not found` };
  if (p.sectionName !== undefined && p.sectionName !== '' && p.sectionName !== l.name) {
    return { reason: 'NoMatchingParent', message: `sectionName ${JSON.stringify(p.sectionName)} not found` };
  }
  const routeNamespace = namespaceOf(route);
  const routeHosts = route.spec.hostnames?.length ? route.spec.hostnames : ['*'];
  const hostMatched = routeHosts.some((h) => hostnamesOverlap(h, l.hostname ?? '*'));
  const listenerHost = JSON.stringify(l.hostname ?? '');
  if (!hostMatched) return { reason: 'NoMatchingListenerHostname', message: `no hostnames matched parent hostname ${listenerHost}` };
  if (!admitsNamespace(l, namespaceOf(gateway), routeNamespace)) {
    return { reason: 'NotAllowedByListeners', message: `hostnames matched parent hostname ${listenerHost}, but namespace ${JSON.stringify(routeNamespace)} is not allowed by the parent` };
  }
  if (!admitsHttpRoute(l)) return { reason: 'NotAllowedByListeners', message: 'kind gateway.networking.k8s.io/v1/HTTPRoute is not allowed' };
  return undefined;
}

/** The listeners of its Gateway a parentRef binds the route to. */
export function boundListeners(route: HTTPRoute, p: ParentRef, gateway: KubeGateway): Listener[] {
  return gateway.spec.listeners.filter((l) => listenerDenial(route, p, gateway, l) === undefined);
}

// Istio reports one condition per parentRef: any listener taking the route makes it Accepted;
// otherwise the least severe reason wins and the messages of that rank are joined.
const RANK: Record<DeniedReason, number> = { NotAllowedByListeners: 1, NoMatchingListenerHostname: 2, NoMatchingParent: 4 };

/** Accepted for a parentRef bound to `results` (one per listener, or one for the mesh): Istio's createRouteStatus. */
export function acceptedCondition(results: ReadonlyArray<Denial | undefined>): { ok: boolean; reason: string; message: string } {
  const bound = results.filter((r) => r === undefined).length;
  if (bound > 0) return { ok: true, reason: 'Accepted', message: bound > 1 ? `Route was valid, bound to ${bound} parents` : 'Route was valid' };
  const denials = results as Denial[];
  const least = Math.min(...denials.map((d) => RANK[d.reason]));
  const worst = denials.filter((d) => RANK[d.reason] === least);
  return { ok: false, reason: worst[0]!.reason, message: worst.map((d) => d.message).join('; ') };
}

/** May an HTTPRoute of `routeNamespace` send to the Service `namespace/name`? Same namespace, or a ReferenceGrant there. */
export function backendPermitted(grants: readonly ReferenceGrant[], routeNamespace: string, namespace: string, name: string): boolean {
  if (namespace === routeNamespace) return true;
  return grants.some(
    (g) =>
      namespaceOf(g) === namespace &&
      g.spec.from.some((f) => f.group === GATEWAY_GROUP && f.kind === 'HTTPRoute' && f.namespace === routeNamespace) &&
      g.spec.to.some((t) => (t.group ?? '') === '' && t.kind === 'Service' && (t.name === undefined || t.name === '' || t.name === name)),
  );
}
