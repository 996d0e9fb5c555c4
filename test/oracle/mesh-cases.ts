// fast-check generators of mesh cases for the differential tests: a world of services, a
// VirtualService (several http rules with uri/header/query/method matches, RE2-only regexes,
// withoutHeaders, retries, timeouts, faults, header edits, foreign mirrors with fractional and
// deprecated percentages, redirects, direct responses, TCP routes, gateways, the three host forms,
// YAML 1.1-looking strings), a DestinationRule (traffic policies, extra subsets), a client
// namespace, and a Canary spec for the planner (custom stage lists, every dark-launch header form).
// SAMPLE_VALUES holds values that satisfy the generated matchers, so requests can be derived from
// every match block.

import fc from 'fast-check';
import type { DestinationRule, HttpRoute, VirtualService } from '../../src/istio/types.ts';
import type { CanarySpec, StageSpec, StringMatch } from '../../src/spec/types.ts';
import { canarySpec } from '../support/rollout-fixtures.ts';

export const SERVICE_NAMESPACE = 'shop';
export const CLUSTER_DOMAIN = 'cluster.local';
export const CATALOG_FQDN = `catalog.${SERVICE_NAMESPACE}.svc.${CLUSTER_DOMAIN}`;

/** The services of every case (Kubernetes services, one HTTP port 80 each). */
export const SERVICES = [
  { namespace: SERVICE_NAMESPACE, name: 'catalog', versions: ['v1', 'v2', 'v3'] },
  { namespace: SERVICE_NAMESPACE, name: 'reviews', versions: ['v1'] },
  { namespace: 'other', name: 'ratings', versions: ['v1', 'v2'] },
] as const;

/** Strings YAML 1.1 reads as something else when unquoted (issue 7, bug 1), plus ordinary ones. */
export const YAML11_LOOKALIKES = ['yes', 'no', 'on', 'Off', 'NO', 'y', 'n', '~', 'null', '1_000', '0x1F', '1e3', '.inf', '2001-12-14', '012', '+1', 'true'];

/** A matcher and a value it accepts (undefined: the matcher accepts only a missing value). */
export interface MatcherSample {
  matcher: Record<string, string>;
  accepted: string;
}

const plainValue = fc.constantFrom('internal', 'beta', 'canary', 'a-b_c', ...YAML11_LOOKALIKES);

/** Regexes in RE2 syntax with a value each matches in full; several are RE2-only in JavaScript terms. */
const REGEX_SAMPLES: Array<[string, string]> = [
  ['(?i)beta', 'BeTa'],
  ['(?P<team>[a-z]+)-beta', 'search-beta'],
  ['v[0-9]+', 'v42'],
  ['.*', 'anything'],
  ['.+', 'yes'],
  ['a|ab', 'ab'],
  ['\\d{3}', '123'],
  ['(?i:on|yes)', 'YES'],
  ['[[:alpha:]]+', 'Off'],
  ['\\pL+', 'héllo'],
  ['x{2,}', 'xxx'],
  ['(?s).*internal.*', 'very internal'],
];

export const headerMatcher: fc.Arbitrary<MatcherSample> = fc.oneof(
  plainValue.map((v) => ({ matcher: { exact: v }, accepted: v })),
  fc.tuple(plainValue, fc.constantFrom('', '-1', 'x')).map(([v, rest]) => ({ matcher: { prefix: v }, accepted: v + rest })),
  fc.constantFrom(...REGEX_SAMPLES).map(([regex, sample]) => ({ matcher: { regex }, accepted: sample })),
  fc.constant({ matcher: {}, accepted: 'present' }),
);

const URI_SAMPLES: MatcherSample[] = [
  { matcher: { exact: '/items' }, accepted: '/items' },
  { matcher: { exact: '/yes' }, accepted: '/yes' },
  { matcher: { prefix: '/api' }, accepted: '/api/v1/items' },
  { matcher: { prefix: '/' }, accepted: '/x' },
  { matcher: { prefix: '/Beta/' }, accepted: '/Beta/list' },
  { matcher: { regex: '/api/v[0-9]+/.*' }, accepted: '/api/v2/items' },
  { matcher: { regex: '(?i)/beta.*' }, accepted: '/BETA/list' },
  { matcher: { regex: '/(?P<id>[0-9]+)' }, accepted: '/123' },
];

const METHOD_SAMPLES: MatcherSample[] = [
  { matcher: { exact: 'GET' }, accepted: 'GET' },
  { matcher: { exact: 'POST' }, accepted: 'POST' },
  { matcher: { regex: 'GET|HEAD' }, accepted: 'HEAD' },
  { matcher: { prefix: 'P' }, accepted: 'PUT' },
];

const QUERY_SAMPLES: MatcherSample[] = [
  { matcher: { exact: 'yes' }, accepted: 'yes' },
  { matcher: { exact: '2' }, accepted: '2' },
  { matcher: { prefix: 'be' }, accepted: 'beta' },
  { matcher: { regex: '[0-9]+' }, accepted: '42' },
  { matcher: { regex: '(?i)on' }, accepted: 'ON' },
];

const headerName = fc.constantFrom('x-istio-cohort', 'x-user', 'x-debug', 'end-user', 'x-yes');

/** A withoutHeaders matcher; those accepting the empty value exercise treat_missing_header_as_empty. */
const withoutMatcher = fc.constantFrom<Record<string, string>>({ regex: '.*' }, { exact: '' }, { exact: 'internal' }, { regex: 'a+' }, {}, { prefix: 'de' }, { regex: '(?i)yes' });

const matchBlock: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      uri: fc.constantFrom(...URI_SAMPLES),
      ignoreUriCase: fc.boolean(),
      headers: fc.dictionary(headerName, headerMatcher, { maxKeys: 2 }),
      withoutHeaders: fc.dictionary(headerName, withoutMatcher, { maxKeys: 2 }),
      queryParams: fc.dictionary(fc.constantFrom('page', 'mode', 'on'), fc.constantFrom(...QUERY_SAMPLES), { maxKeys: 2 }),
      method: fc.constantFrom(...METHOD_SAMPLES),
      gateways: fc.constantFrom(['mesh'], [`${SERVICE_NAMESPACE}/public-gateway`], ['mesh', 'public-gateway']),
      sourceNamespace: fc.constantFrom(SERVICE_NAMESPACE, 'web'),
      name: fc.constantFrom('m1', 'on', 'yes'),
    },
    { requiredKeys: [] },
  )
  .map((r) => {
    const block: Record<string, unknown> = {};
    if (r.name !== undefined) block.name = r.name;
    if (r.uri) {
      block.uri = r.uri.matcher;
      if (r.ignoreUriCase) block.ignoreUriCase = true;
    }
    const headers = Object.entries(r.headers ?? {});
    if (headers.length > 0) block.headers = Object.fromEntries(headers.map(([k, m]) => [k, m.matcher]));
    const without = Object.entries(r.withoutHeaders ?? {}).filter(([k]) => !(k in (r.headers ?? {})));
    if (without.length > 0) block.withoutHeaders = Object.fromEntries(without);
    const query = Object.entries(r.queryParams ?? {});
    if (query.length > 0) block.queryParams = Object.fromEntries(query.map(([k, m]) => [k, m.matcher]));
    if (r.method) block.method = r.method.matcher;
    if (r.gateways) block.gateways = r.gateways;
    else if (r.sourceNamespace) block.sourceNamespace = r.sourceNamespace;
    return block;
  });

/** Values that satisfy the generated matchers, for deriving requests from any match block. */
export const SAMPLE_VALUES: string[] = [
  ...new Set([
    ...REGEX_SAMPLES.map(([, v]) => v),
    ...[...URI_SAMPLES, ...METHOD_SAMPLES, ...QUERY_SAMPLES].map((m) => m.accepted),
    ...YAML11_LOOKALIKES,
    'internal', 'beta', 'beta-1', 'betax', 'canary', 'a-b_c', 'present', 'INTERNAL',
  ]),
];

const destinationHost = fc.constantFrom('catalog', `catalog.${SERVICE_NAMESPACE}`, CATALOG_FQDN);
const subset = fc.constantFrom<string | undefined>('v1', 'v2', 'v3', 'missing', undefined);

const destination = fc
  .record({ host: destinationHost, subset, port: fc.constantFrom<number | undefined>(undefined, 80) })
  .map(({ host, subset: s, port }) => ({ host, ...(s ? { subset: s } : {}), ...(port ? { port: { number: port } } : {}) }));

/** Mirror targets: the canary's own host forms and foreign services. */
const mirrorDestination = fc.oneof(
  destination,
  fc.constantFrom({ host: 'reviews' }, { host: `ratings.other.svc.${CLUSTER_DOMAIN}`, subset: 'v2' }, { host: 'ratings.other' }, { host: 'shadow.example.com' }),
);

const percentValue = fc.oneof(fc.constantFrom(0, 0.00005, 0.0001, 0.57, 10, 33.333333, 50, 99.99999, 100), fc.double({ min: 0, max: 100, noNaN: true }));

const mirrorFields: fc.Arbitrary<Partial<HttpRoute>> = fc.oneof(
  fc.constant({}),
  fc.record({ mirror: mirrorDestination }),
  fc.record({ mirror: mirrorDestination, mirrorPercentage: percentValue.map((value) => ({ value })) }),
  fc.record({ mirror: mirrorDestination, mirrorPercent: fc.integer({ min: 0, max: 100 }) }),
  fc.record({
    mirrors: fc.array(
      fc.record({ destination: mirrorDestination, percentage: percentValue.map((value) => ({ value })) }, { requiredKeys: ['destination'] }),
      { minLength: 1, maxLength: 2 },
    ),
  }),
);

/** Fields that do not change where a request goes but must survive every edit. */
const sideFields: fc.Arbitrary<Partial<HttpRoute>> = fc.record(
  {
    timeout: fc.constantFrom('1s', '250ms', '10s'),
    retries: fc.constantFrom({ attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' }, { attempts: 0 }, { attempts: 1 }),
    fault: fc.constantFrom({ delay: { percentage: { value: 0.1 }, fixedDelay: '5s' } }, { abort: { percentage: { value: 1 }, httpStatus: 503 } }),
    headers: fc.constantFrom({ request: { set: { 'x-yes': 'yes' } } }, { request: { add: { 'x-on': 'on' }, remove: ['x-debug'] }, response: { set: { 'x-version': '1e3' } } }),
    rewrite: fc.constantFrom({ uri: '/v2' }, { authority: 'catalog.internal' }),
    corsPolicy: fc.constant({ allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'] }),
  },
  { requiredKeys: [] },
);


const routeDestinations = fc.oneof(
  destination.map((d) => [{ destination: d }]),
  fc.array(fc.record({ destination, weight: fc.integer({ min: 0, max: 100 }) }), { minLength: 2, maxLength: 3 }).filter((ds) => ds.some((d) => d.weight > 0)),
);

const action: fc.Arbitrary<Partial<HttpRoute>> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(routeDestinations, mirrorFields, sideFields).map(([route, mirror, side]) => ({ route, ...mirror, ...side })) },
  { weight: 1, arbitrary: fc.constantFrom({ redirect: { uri: '/moved', redirectCode: 302 } }, { redirect: { authority: 'new.example.com' } }) },
  { weight: 1, arbitrary: fc.constantFrom({ directResponse: { status: 503, body: { string: 'on' } } }, { directResponse: { status: 204 } }) },
);

const rule: fc.Arbitrary<HttpRoute> = fc
  .tuple(fc.array(matchBlock, { minLength: 0, maxLength: 3 }), action, fc.constantFrom<string | undefined>(undefined, 'primary', 'yes', 'r-1'))
  .map(([blocks, act, name]) => ({ ...(name ? { name } : {}), ...(blocks.length > 0 ? { match: blocks } : {}), ...act }));

export interface MeshCase {
  clientNamespace: string;
  virtualService: VirtualService;
  destinationRules: DestinationRule[];
}

const vsHost = fc.constantFrom('catalog', `catalog.${SERVICE_NAMESPACE}`, CATALOG_FQDN, `catalog.${SERVICE_NAMESPACE}.svc`, `*.${SERVICE_NAMESPACE}.svc.${CLUSTER_DOMAIN}`);

const trafficPolicy = fc.constantFrom<Record<string, unknown> | undefined>(
  undefined,
  { loadBalancer: { simple: 'ROUND_ROBIN' } },
  { connectionPool: { http: { http1MaxPendingRequests: 10 } }, outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' } },
  { tls: { mode: 'ISTIO_MUTUAL' } },
);

const SUBSETS: Record<string, Record<string, string>> = { v1: { version: 'v1' }, v2: { version: 'v2' }, v3: { version: 'v3' }, yes: { version: 'yes' } };

const destinationRule: fc.Arbitrary<DestinationRule> = fc
  .record({
    namespace: fc.constantFrom(SERVICE_NAMESPACE, SERVICE_NAMESPACE, 'web', 'istio-system'),
    host: fc.constantFrom('catalog', `catalog.${SERVICE_NAMESPACE}`, CATALOG_FQDN, `*.${SERVICE_NAMESPACE}.svc.${CLUSTER_DOMAIN}`),
    subsets: fc.subarray(Object.keys(SUBSETS), { minLength: 0 }),
    trafficPolicy,
    exportTo: fc.constantFrom<string[] | undefined>(undefined, undefined, ['.'], ['*']),
  })
  .map(({ namespace, host, subsets, trafficPolicy: tp, exportTo }) => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule' as const,
    metadata: { name: 'catalog', namespace },
    spec: {
      // A DR elsewhere than the service's namespace needs the full name to mean the service.
      host: namespace === SERVICE_NAMESPACE || host.includes('.') ? host : CATALOG_FQDN,
      ...(tp ? { trafficPolicy: tp } : {}),
      subsets: subsets.map((name) => ({ name, labels: SUBSETS[name]!, ...(name === 'v3' ? { trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' } } } : {}) })),
      ...(exportTo ? { exportTo } : {}),
    },
  }));

export const meshCase: fc.Arbitrary<MeshCase> = fc
  .record({
    clientNamespace: fc.constantFrom(SERVICE_NAMESPACE, 'web'),
    host: vsHost,
    gateways: fc.constantFrom<string[] | undefined>(undefined, undefined, ['mesh'], ['mesh', 'public-gateway'], ['public-gateway']),
    rules: fc.array(rule, { minLength: 1, maxLength: 4 }),
    tcp: fc.boolean(),
    exportTo: fc.constantFrom<string[] | undefined>(undefined, undefined, ['.'], ['*']),
    destinationRules: fc.uniqueArray(destinationRule, { maxLength: 2, selector: (dr) => dr.metadata.namespace }),
  })
  .map(({ clientNamespace, host, gateways, rules, tcp, exportTo, destinationRules }) => ({
    clientNamespace,
    destinationRules,
    virtualService: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService' as const,
      metadata: { name: 'catalog', namespace: SERVICE_NAMESPACE },
      spec: {
        hosts: [host],
        ...(gateways ? { gateways } : {}),
        http: rules,
        ...(tcp ? { tcp: [{ match: [{ port: 3306 }], route: [{ destination: { host: 'catalog', port: { number: 3306 } } }] }] } : {}),
        ...(exportTo ? { exportTo } : {}),
      },
    },
  }));

/** Every dark-launch header form the spec accepts. */
const darkLaunchHeaders: fc.Arbitrary<Record<string, StringMatch>> = fc
  .tuple(fc.constantFrom('x-istio-cohort', 'x-canary', 'end-user'), fc.constantFrom<StringMatch>({ exact: 'internal' }, { exact: 'yes' }, { prefix: 'beta' }, { regex: '(?i)internal|beta' }, {}))
  .map(([name, m]) => ({ [name]: m }));

const stageList: fc.Arbitrary<StageSpec[]> = fc
  .record({
    dark: fc.option(fc.tuple(darkLaunchHeaders, fc.boolean()), { nil: undefined }),
    mirror: fc.option(fc.constantFrom(100, 50, 33.333333, 0.5, 12.34567), { nil: undefined }),
    weights: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 3 }).map((ws) => [...ws].sort((a, b) => a - b)),
  })
  .map(({ dark, mirror, weights }) => [
    ...(dark ? [{ kind: 'darkLaunch' as const, headers: dark[0], keep: dark[1], bake: 60_000, pause: false }] : []),
    ...(mirror !== undefined ? [{ kind: 'mirror' as const, percentage: mirror, bake: 60_000, pause: false }] : []),
    ...weights.map((weight) => ({ kind: 'weight' as const, weight, bake: 60_000, pause: false })),
  ]);

/** A Canary spec for catalog (stable v1 → canary v2) in the generated case's namespace and host form. */
export const canaryFor: fc.Arbitrary<(c: MeshCase) => CanarySpec> = fc
  .record({ stages: stageList, host: fc.constantFrom('catalog', CATALOG_FQDN, `catalog.${SERVICE_NAMESPACE}`), route: fc.constantFrom<string | undefined>(undefined, 'primary') })
  .map(({ stages, host, route }) => (c: MeshCase) =>
    canarySpec({
      namespace: SERVICE_NAMESPACE,
      virtualService: c.virtualService.metadata.name,
      destinationRule: 'catalog',
      host,
      ...(route && c.virtualService.spec.http?.some((r) => r.name === route) ? { route } : {}),
      stable: { subset: 'v1', labels: { version: 'v1' }, workload: 'catalog-v1', version: 'v1' },
      canary: { subset: 'v2', labels: { version: 'v2' }, workload: 'catalog-v2', version: 'v2' },
      stages,
    }),
  );

/**
 * A case the planner can take: the generated rules that have match blocks, then the route it
 * manages — no match, all traffic to the stable subset, in one of the host forms, with fields it
 * must keep (retries, timeout, fault, header edits, rewrite, CORS).
 */
export const plannableCase: fc.Arbitrary<MeshCase> = fc
  .tuple(meshCase, destinationHost, sideFields, fc.constantFrom<string | undefined>(undefined, 'primary'))
  .map(([c, host, side, name]) => {
    const matched = (c.virtualService.spec.http ?? []).filter((r) => (r.match?.length ?? 0) > 0);
    const owned: HttpRoute = { ...(name ? { name } : {}), route: [{ destination: { host, subset: 'v1' } }], ...side };
    return { ...c, virtualService: { ...c.virtualService, spec: { ...c.virtualService.spec, http: [...matched, owned] } } };
  });
