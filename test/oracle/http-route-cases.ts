// fast-check generators of HTTPRoute cases for the differential tests: one or two HTTPRoutes
// attached to the Service `catalog` (GAMMA producer routes, or a consumer route in the client's
// namespace), rules with Exact/PathPrefix/RegularExpression paths of varied lengths, header,
// method and query parameter matches (Exact and RE2 regexes), weighted backendRefs to the
// version Services (weight 0 included), RequestMirror filters with percent or fraction, header
// modifier filters, and the API server's defaults filled in as it stores them. Requests are
// derived from every match: one the match accepts and variants that each break one condition.

import fc from 'fast-check';
import type { BackendRef, HTTPRoute, NameValueMatch, RouteFilter, RouteMatch, RouteRule } from '../../src/routing/http-route/types.ts';
import type { ProbeRequest } from './probe-requests.ts';

export const NS = 'shop';
export const CLIENT_NAMESPACES = ['web', NS] as const;
export const VERSION_SERVICES = ['catalog', 'catalog-v1', 'catalog-v2'] as const;
export const ROUTE_SERVICES = VERSION_SERVICES.map((name) => ({ namespace: NS, name, versions: ['v1'] }));
export const CATALOG_HOST = `catalog.${NS}.svc.cluster.local`;

const PATHS = ['/', '/items', '/items/', '/items/1', '/api', '/api/v1/items', '/a'];
const REGEX_PATHS: Array<[string, string]> = [['/items/[0-9]+', '/items/42'], ['/(?i)API/.*', '/api/x'], ['/v[0-9]/.*', '/v2/items']];
const HEADER_NAMES = ['x-cohort', 'x-team', 'X-Beta'];
const VALUES = ['internal', 'beta', 'yes', 'on'];
const REGEX_VALUES: Array<[string, string]> = [['(?i)beta', 'BETA'], ['v[0-9]+', 'v7'], ['.*', 'any']];

const pathMatch = fc.oneof(
  fc.constantFrom(...PATHS).map((value) => ({ type: 'PathPrefix' as const, value })),
  fc.constantFrom(...PATHS).map((value) => ({ type: 'Exact' as const, value })),
  fc.constantFrom(...REGEX_PATHS).map(([value]) => ({ type: 'RegularExpression' as const, value })),
);

const nameValue = (names: readonly string[]): fc.Arbitrary<NameValueMatch> =>
  fc.oneof(
    fc.record({ type: fc.constant('Exact' as const), name: fc.constantFrom(...names), value: fc.constantFrom(...VALUES) }),
    fc.record({ type: fc.constant('RegularExpression' as const), name: fc.constantFrom(...names), value: fc.constantFrom(...REGEX_VALUES.map(([r]) => r)) }),
  );

const uniqueByName = (list: NameValueMatch[]) => list.filter((m, i) => list.findIndex((o) => o.name.toLowerCase() === m.name.toLowerCase()) === i);

export const routeMatch: fc.Arbitrary<RouteMatch> = fc
  .record(
    {
      path: pathMatch,
      headers: fc.array(nameValue(HEADER_NAMES), { maxLength: 2 }).map(uniqueByName),
      queryParams: fc.array(nameValue(['page', 'sort']), { maxLength: 1 }),
      method: fc.constantFrom('GET', 'POST'),
    },
    { requiredKeys: ['path'] },
  )
  .map((m) => {
    const out: RouteMatch = { path: m.path };
    if (m.headers && m.headers.length > 0) out.headers = m.headers;
    if (m.queryParams && m.queryParams.length > 0) out.queryParams = m.queryParams;
    if (m.method) out.method = m.method;
    return out;
  });

const backendRef: fc.Arbitrary<BackendRef> = fc.record(
  { name: fc.constantFrom(...VERSION_SERVICES), port: fc.constant(80), weight: fc.constantFrom(0, 1, 10, 50, 90, 100) },
  { requiredKeys: ['name', 'port'] },
);

const mirrorFilter: fc.Arbitrary<RouteFilter> = fc.oneof(
  fc.integer({ min: 0, max: 100 }).map((percent) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v2', port: 80 }, percent } })),
  fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.constantFrom(undefined, 3, 7, 1000, 1000000))
    .filter(([n, d]) => n <= (d ?? 100))
    .map(([numerator, denominator]) => ({
      type: 'RequestMirror',
      requestMirror: { backendRef: { name: 'catalog-v2', port: 80 }, fraction: denominator === undefined ? { numerator } : { numerator, denominator } },
    })),
);

const HEADER_FILTER: RouteFilter = { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-routed', value: 'yes' }] } };

export const rule: fc.Arbitrary<RouteRule> = fc
  .record({
    matches: fc.array(routeMatch, { minLength: 1, maxLength: 3 }),
    backendRefs: fc.array(backendRef, { minLength: 1, maxLength: 3 }),
    mirror: fc.option(mirrorFilter, { nil: undefined }),
    header: fc.boolean(),
  })
  .map(({ matches, backendRefs, mirror, header }) => {
    const filters = [...(header ? [structuredClone(HEADER_FILTER)] : []), ...(mirror ? [mirror] : [])];
    return { matches, backendRefs, ...(filters.length > 0 ? { filters } : {}) } as RouteRule;
  });

export function route(name: string, namespace: string, created: string, rules: RouteRule[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace, creationTimestamp: created },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', namespace: NS, port: 80 }], rules },
  };
}

/** The ingress of the Gateway-parent cases: a Gateway of class istio in the service's namespace. */
export const GATEWAY = { id: `${NS}/catalog-gateway`, host: 'catalog.example.com', service: 'catalog-gateway-istio' };

export const GATEWAY_OBJECTS = [
  { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } },
  {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'catalog-gateway', namespace: NS },
    spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }] },
  },
];

/** The route attached to the Gateway instead of the Service, for the gateway's host. */
export function viaGateway(r: HTTPRoute): HTTPRoute {
  return { ...r, spec: { ...r.spec, parentRefs: [{ name: 'catalog-gateway' }], hostnames: [GATEWAY.host] } };
}

export interface HttpRouteCase {
  routes: HTTPRoute[];
  clientNamespace: string;
}

export const httpRouteCase: fc.Arbitrary<HttpRouteCase> = fc
  .record({
    first: fc.array(rule, { minLength: 1, maxLength: 4 }),
    second: fc.option(fc.array(rule, { minLength: 1, maxLength: 3 }), { nil: undefined }),
    secondName: fc.constantFrom('a-catalog', 'z-catalog'),
    sameTime: fc.boolean(),
    consumer: fc.boolean(),
    clientNamespace: fc.constantFrom(...CLIENT_NAMESPACES),
  })
  .map(({ first, second, secondName, sameTime, consumer, clientNamespace }) => {
    const routes = [route('catalog', NS, '2026-01-01T00:00:00Z', first)];
    if (second) {
      // A second producer route, or a consumer route in the client's namespace (GAMMA).
      const ns = consumer && clientNamespace !== NS ? clientNamespace : NS;
      routes.push(route(secondName, ns, sameTime ? '2026-01-01T00:00:00Z' : '2026-01-02T00:00:00Z', second));
    }
    return { routes, clientNamespace };
  });

function satisfying(m: NameValueMatch): string {
  if ((m.type ?? 'Exact') === 'Exact') return m.value;
  return REGEX_VALUES.find(([r]) => r === m.value)?.[1] ?? 'x';
}

function pathFor(m: RouteMatch): string {
  const p = m.path!;
  if (p.type === 'RegularExpression') return REGEX_PATHS.find(([r]) => r === p.value)?.[1] ?? '/';
  return p.value ?? '/';
}

/** A request each match accepts, and variants that break one condition; sent to the service's host. */
export function httpRouteProbes(routes: HTTPRoute[]): ProbeRequest[] {
  const out = new Map<string, ProbeRequest>();
  const add = (path: string, method: string, headers: Record<string, string>, query: Record<string, string>) => {
    const q = new URLSearchParams(query).toString();
    const r = { host: CATALOG_HOST, path: q ? `${path}?${q}` : path, method, headers };
    out.set(JSON.stringify(r), r);
  };
  add('/', 'GET', {}, {});
  for (const m of routes.flatMap((r) => (r.spec.rules ?? []).flatMap((rule) => rule.matches ?? []))) {
    const path = pathFor(m);
    const headers = Object.fromEntries((m.headers ?? []).map((h) => [h.name.toLowerCase(), satisfying(h)]));
    const query = Object.fromEntries((m.queryParams ?? []).map((q) => [q.name, satisfying(q)]));
    const method = m.method ?? 'GET';
    add(path, method, headers, query);
    add(`${path}/sub`, method, headers, query);
    add(`${path}x`, method, headers, query);
    add(path, method === 'GET' ? 'POST' : 'GET', headers, query);
    for (const name of Object.keys(headers)) {
      const { [name]: _dropped, ...rest } = headers;
      add(path, method, rest, query);
      add(path, method, { ...headers, [name]: 'zz-other' }, query);
    }
    for (const name of Object.keys(query)) {
      const { [name]: _dropped, ...rest } = query;
      add(path, method, headers, rest);
    }
  }
  return [...out.values()];
}
