// fast-check generators of HTTPRoute cases on ports other than 80 and across namespaces, for the
// differential test against Istio's conversion: Services with ports 80 and 8080 (and a namespace
// `team` with its own version Services); mesh routes whose Service parentRef names a port (or a
// sectionName, which Istio does not read on a Service) and whose backends and mirrors use either
// port or another namespace; and routes on an ingress Gateway with several listeners (names,
// ports 80/8080/9090, hostnames, allowedRoutes namespaces and kinds), attached with or without
// sectionName and port, from the Gateway's namespace or another, with ReferenceGrants (or none)
// for backends in `team`. Requests: every probe on every port and several hosts.

import fc from 'fast-check';
import type { BackendObjectRef, HTTPRoute, ParentRef, RouteRule } from '../../src/routing/http-route/types.ts';
import type { KubeGateway, Listener, ReferenceGrant } from '../sim/gateway-api.ts';
import type { ServiceSpec } from './agreement.ts';
import { CATALOG_HOST, GATEWAY_OBJECTS, NS, httpRouteCase, httpRouteProbes, type HttpRouteCase } from './http-route-cases.ts';
import type { ProbeRequest } from './probe-requests.ts';

export const TEAM = 'team';
export const SERVICE_PORTS = [80, 8080] as const;
const PORTED = ['catalog', 'catalog-v1', 'catalog-v2'].flatMap((name) => [NS, TEAM].map((namespace) => ({ namespace, name, versions: ['v1'], ports: SERVICE_PORTS })));
export const PORTED_SERVICES: ServiceSpec[] = PORTED;

/** Choices drawn once per case and dealt out in order (a generator per backend would not shrink better). */
type Dice = number[];
const dice = fc.array(fc.nat({ max: 1_000 }), { minLength: 32, maxLength: 32 });
function dealer(d: Dice) {
  let i = 0;
  return <T>(options: readonly T[]): T => options[d[i++ % d.length]! % options.length]!;
}
type Deal = ReturnType<typeof dealer>;

/** Every backend and mirror of the rules on port 80 or 8080, some in namespace `team`. */
function reBackend(rules: RouteRule[], deal: Deal): RouteRule[] {
  const ref = <T extends BackendObjectRef>(b: T): T => {
    const namespace = deal([undefined, undefined, NS, TEAM] as const);
    return { ...b, port: deal(SERVICE_PORTS), ...(namespace === undefined ? {} : { namespace }) };
  };
  return rules.map((rule) => ({
    ...rule,
    ...(rule.backendRefs ? { backendRefs: rule.backendRefs.map(ref) } : {}),
    ...(rule.filters
      ? { filters: rule.filters.map((f) => (f.type === 'RequestMirror' && f.requestMirror ? { ...f, requestMirror: { ...f.requestMirror, backendRef: ref(f.requestMirror.backendRef) } } : f)) }
      : {}),
  }));
}

export interface PortCase extends HttpRouteCase {
  requests: ProbeRequest[];
}

/** Mesh routes on the Service `catalog` with a parentRef port (80, 8080 or none) or a sectionName, backends on either port and namespace. */
export const meshPortCase: fc.Arbitrary<PortCase> = fc.tuple(httpRouteCase, dice).map(([c, d]) => {
  const deal = dealer(d);
  const routes = c.routes.map((r) => {
    const parent: ParentRef = { group: '', kind: 'Service', name: 'catalog', namespace: NS };
    const port = deal([undefined, 80, 8080, 8080] as const);
    const sectionName = deal([undefined, undefined, 'http-8080'] as const);
    return {
      ...r,
      spec: { ...r.spec, parentRefs: [{ ...parent, ...(port === undefined ? {} : { port }), ...(sectionName === undefined ? {} : { sectionName }) }], rules: reBackend(r.spec.rules ?? [], deal) },
    };
  });
  const requests = httpRouteProbes(routes).flatMap((p) => SERVICE_PORTS.map((port) => ({ ...p, port })));
  return { routes, clientNamespace: c.clientNamespace, requests };
});

export const GATEWAY_NAME = 'catalog-gateway';
/** The Service Istio deploys for the Gateway (`<name>-istio`), serving every listener port. */
export const GATEWAY_SERVICE = { namespace: NS, name: `${GATEWAY_NAME}-istio`, versions: ['v1'], ports: [80, 8080, 9090] };
const LISTENER_SLOTS: ReadonlyArray<Pick<Listener, 'name' | 'port'>> = [
  { name: 'http', port: 80 },
  { name: 'web', port: 8080 },
  { name: 'admin', port: 9090 },
];
const GATEWAY_HOSTS = ['catalog.example.com', 'admin.example.com', 'shop.other.io'] as const;

export interface GatewayCase {
  gateway: KubeGateway;
  routes: HTTPRoute[];
  grants: ReferenceGrant[];
  requests: ProbeRequest[];
}

function listener(slot: Pick<Listener, 'name' | 'port'>, deal: Deal): Listener {
  const hostname = deal([undefined, undefined, 'catalog.example.com', '*.example.com', 'admin.example.com'] as const);
  const from = deal([undefined, 'Same', 'All', 'All'] as const);
  const kinds = deal([undefined, undefined, undefined, [{ kind: 'HTTPRoute' }], [{ kind: 'GRPCRoute' }]] as const);
  const allowedRoutes = { ...(from === undefined ? {} : { namespaces: { from } }), ...(kinds === undefined ? {} : { kinds: kinds.map((k) => ({ ...k })) }) };
  return { ...slot, protocol: 'HTTP', ...(hostname === undefined ? {} : { hostname }), ...(Object.keys(allowedRoutes).length > 0 ? { allowedRoutes } : {}) };
}

function grant(deal: Deal, index: number): ReferenceGrant {
  const name = deal([undefined, 'catalog-v1', 'catalog-v2'] as const);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: `grant-${index}`, namespace: TEAM },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: deal([NS, 'web'] as const) }], to: [{ group: '', kind: 'Service', ...(name === undefined ? {} : { name }) }] },
  } as ReferenceGrant;
}

/** Routes (from the Gateway's namespace or `web`) on a Gateway of two or three listeners, with or without grants. */
export const gatewayCase: fc.Arbitrary<GatewayCase> = fc.tuple(httpRouteCase, dice, fc.integer({ min: 2, max: 3 }), fc.integer({ min: 0, max: 2 })).map(([c, d, listenerCount, grantCount]) => {
  const deal = dealer(d);
  const slots = LISTENER_SLOTS.slice(3 - listenerCount);
  const template = GATEWAY_OBJECTS[1] as unknown as KubeGateway;
  const gateway: KubeGateway = { ...template, spec: { gatewayClassName: 'istio', listeners: slots.map((s) => listener(s, deal)) } };
  const routes = c.routes.map((r) => {
    const namespace = deal([NS, NS, 'web'] as const);
    const sectionName = deal([undefined, undefined, ...slots.map((s) => s.name), 'nope']);
    const port = deal([undefined, undefined, undefined, ...slots.map((s) => s.port), 7070]);
    const hostnames = deal([[], [], ['catalog.example.com'], ['*.example.com'], ['shop.other.io']] as const);
    const parentRef: ParentRef = { name: GATEWAY_NAME, namespace: NS, ...(sectionName === undefined ? {} : { sectionName }), ...(port === undefined ? {} : { port }) };
    return {
      ...r,
      metadata: { ...r.metadata, namespace },
      spec: { ...r.spec, parentRefs: [parentRef], ...(hostnames.length > 0 ? { hostnames: [...hostnames] } : {}), rules: reBackend(r.spec.rules ?? [], deal) },
    };
  });
  const grants = Array.from({ length: grantCount }, (_, i) => grant(deal, i));
  const probes = httpRouteProbes(routes).map((p) => ({ ...p, host: CATALOG_HOST }));
  const requests = probes.flatMap((p) => GATEWAY_HOSTS.flatMap((host) => slots.map((s) => ({ ...p, host, port: s.port }))));
  return { gateway, routes, grants, requests };
});
