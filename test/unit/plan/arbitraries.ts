// fast-check generators of valid live VirtualServices and Canary specs for the plan's properties.
import fc from 'fast-check';
import type { DestinationRule, HttpRoute, RouteDestination, VirtualService } from '../../../src/istio/types.ts';
import type { CanarySpec, StageSpec, StringMatch } from '../../../src/spec/types.ts';
import { routeCovers } from '../../../src/istio/shadowing.ts';
import { InputError } from '../../../src/errors.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, stage } from './helpers.ts';

const stringMatch: fc.Arbitrary<StringMatch> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 8 }).map((exact) => ({ exact })),
  fc.stringMatching(/^[a-z]{1,6}$/).map((prefix) => ({ prefix })),
  fc.constantFrom('^a.*', '[0-9]+', 'v(1|2)').map((regex) => ({ regex })),
  fc.constant({}),
);

/** Match blocks of routes; the canary's cohort headers (x-istio-cohort, x-canary) never appear in them. */
const matchBlock = fc.record(
  {
    uri: stringMatch,
    headers: fc.dictionary(fc.constantFrom('x-tenant', 'x-region', 'user-agent'), stringMatch, { minKeys: 1, maxKeys: 2 }),
    ignoreUriCase: fc.boolean(),
    name: fc.stringMatching(/^[a-z]{1,6}$/),
  },
  { requiredKeys: [] },
);

/** Route options the header rule must copy and the plan must keep. */
const routeOptions = fc.record(
  {
    timeout: fc.constantFrom('1s', '250ms', '10s'),
    // istiod rejects retry settings with attempts 0 (retries off): only the bare form has 0.
    retries: fc.oneof(fc.record({ attempts: fc.integer({ min: 1, max: 5 }), perTryTimeout: fc.constant('1s') }), fc.constant({ attempts: 0 })),
    headers: fc.record({ request: fc.record({ set: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,5}$/), fc.string({ maxLength: 5 })) }) }),
    corsPolicy: fc.record({ allowOrigins: fc.array(fc.record({ exact: fc.webUrl() }), { minLength: 1, maxLength: 2 }) }),
    fault: fc.record({ abort: fc.record({ percentage: fc.record({ value: fc.integer({ min: 0, max: 100 }) }), httpStatus: fc.constantFrom(500, 503) }) }),
    rewrite: fc.record({ uri: fc.constantFrom('/', '/v1') }),
  },
  { requiredKeys: [] },
);

/** Destinations of routes the canary does not own: other hosts, or subsets of catalog that are neither version
 * (a route sending to catalog's stable subset, or to catalog without a subset, is owned by default). */
const otherDestination: fc.Arbitrary<RouteDestination> = fc.oneof(
  fc.record({ destination: fc.record({ host: fc.constantFrom('reviews', 'ratings.default.svc.cluster.local'), subset: fc.constantFrom('a', 'b-1') }, { requiredKeys: ['host'] }) }),
  fc.record({ destination: fc.record({ host: fc.constant('catalog'), subset: fc.constantFrom('a', 'b-1') }) }),
);

function otherRoute(withMatch: boolean): fc.Arbitrary<HttpRoute> {
  return fc
    .tuple(fc.stringMatching(/^r-[a-z]{1,6}$/), fc.array(matchBlock, { minLength: withMatch ? 1 : 0, maxLength: 2 }), routeOptions, fc.array(otherDestination, { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([name, match, options, route, named]) => {
      const weighted = route.length > 1 ? route.map((d, i) => ({ ...d, weight: i === 0 ? 100 - (route.length - 1) * 10 : 10 })) : route;
      return { ...(named ? { name } : {}), ...(match.length ? { match } : {}), ...options, route: weighted };
    });
}

/** An owned route before (or, with `subset`, pinned before) a release; `named`: the spec names it `primary`. */
function ownedRoute(named: boolean, match: 'none' | 'some' | 'maybe'): fc.Arbitrary<HttpRoute> {
  return fc
    .record({
      // The forms Istio resolves to the spec's host `catalog` in istioinaction (`catalog.istioinaction` is another host: see refusals).
      host: fc.constantFrom('catalog', 'catalog.istioinaction.svc.cluster.local'),
      subset: fc.option(fc.constant('version-v1'), { nil: undefined }),
      port: fc.option(fc.constantFrom(80, 3000), { nil: undefined }),
      weight100: fc.boolean(),
      match: match === 'none' ? fc.constant([] as Array<Record<string, unknown>>) : fc.array(matchBlock, { minLength: match === 'some' ? 1 : 0, maxLength: 2 }),
      options: routeOptions,
    })
    .map(({ host, subset, port, weight100, match, options }) => ({
      ...(named ? { name: 'primary' } : {}),
      ...(match.length ? { match } : {}),
      ...options,
      route: [{ destination: { host, ...(subset ? { subset } : {}), ...(port ? { port: { number: port } } : {}) }, ...(weight100 ? { weight: 100 } : {}) }],
    }));
}

export interface Scenario {
  spec: CanarySpec;
  live: VirtualService;
  dr?: DestinationRule;
  /** Live indices of the owned routes, in order (one when the spec names its route). */
  ownedIndices: number[];
}

const stagesArb: fc.Arbitrary<StageSpec[]> = fc
  .record({
    weights: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 4 }).map((w) => w.sort((a, b) => a - b)),
    dark: fc.option(fc.record({ at: fc.nat(), keep: fc.boolean(), headers: fc.dictionary(fc.constantFrom('x-istio-cohort', 'x-canary'), stringMatch, { minKeys: 1, maxKeys: 2 }) }), { nil: undefined }),
    mirror: fc.option(fc.record({ at: fc.nat(), percentage: fc.integer({ min: 1, max: 100 }) }), { nil: undefined }),
  })
  .map(({ weights, dark, mirror }) => {
    const stages: StageSpec[] = weights.map((w) => stage.weight(w));
    if (mirror) stages.splice(mirror.at % (stages.length + 1), 0, stage.mirror(mirror.percentage));
    if (dark) stages.splice(dark.at % (stages.length + 1), 0, stage.darkLaunch(dark.headers, dark.keep));
    return stages;
  })
  .filter((s) => s.length > 0);

/** Routes in order: foreign routes, then an owned one, then foreign ones... (`owned` marks the owned ones). */
interface Layout {
  http: HttpRoute[];
  owned: number[];
}

/** Default ownership: 1 to 3 owned routes among foreign ones; all but the last owned route have a match
 * (a match-less route would leave the later ones unreachable). Named: one owned route called `primary`. */
const layoutArb = (named: boolean): fc.Arbitrary<Layout> =>
  fc
    .integer({ min: 1, max: named ? 1 : 3 })
    .chain((count) =>
      fc.record({
        foreign: fc.array(fc.array(otherRoute(!named), { maxLength: 3 }), { minLength: count + 1, maxLength: count + 1 }),
        owned: fc.tuple(...Array.from({ length: count }, (_, k) => ownedRoute(named, named ? 'maybe' : k < count - 1 ? 'some' : 'none'))),
      }),
    )
    .map(({ foreign, owned }) => {
      const http: HttpRoute[] = [];
      const indices: number[] = [];
      owned.forEach((route, k) => {
        http.push(...foreign[k]!);
        indices.push(http.length);
        http.push(route);
      });
      http.push(...foreign.at(-1)!);
      return { http, owned: indices };
    });

/** An earlier route that catches some block of an owned route would starve the dark launch (the plan
 * refuses that: shadowing.test.ts), or leave the owned route unreachable (then it is not owned). */
function ownedReachable({ http, owned }: Layout): boolean {
  return owned.every((i) => (http[i]!.match?.length ? http[i]!.match! : [{}]).every((block) => !http.slice(0, i).some((r) => routeCovers(r, block))));
}

export const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({ named: fc.boolean(), withDr: fc.boolean(), extraSpec: fc.boolean() })
  .chain(({ named, withDr, extraSpec }) =>
    fc.record({
      layout: layoutArb(named).filter(ownedReachable),
      stages: stagesArb,
      withDr: fc.constant(withDr),
      extraSpec: fc.constant(extraSpec),
      named: fc.constant(named),
      gateways: fc.subarray(['mesh', 'catalog-gateway', 'istio-system/public']),
    }),
  )
  .map(({ layout, stages, withDr, extraSpec, named, gateways }) => {
    const live: VirtualService = {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: 'catalog', namespace: 'istioinaction', resourceVersion: '42', labels: { app: 'catalog' } },
      spec: {
        hosts: ['catalog', 'catalog.example.com'],
        ...(gateways.length ? { gateways } : {}),
        http: layout.http,
        ...(extraSpec ? { tcp: [{ match: [{ port: 5432 }], route: [{ destination: { host: 'db' } }] }], exportTo: ['.'] } : {}),
      },
    };
    const dr: DestinationRule | undefined = withDr
      ? { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }, { name: 'other', labels: { version: 'v0' } }] } }
      : undefined;
    return { spec: canarySpec({ stages, ...(named ? { route: 'primary' } : {}) }), live, ...(dr ? { dr } : {}), ownedIndices: layout.owned };
  })
  // Owned-route blocks that overlap each other (prefix /o beside /oa) would give the header rule an
  // unreachable-match finding the input lacks: the plan refuses that (header-rule-reach.test.ts).
  .filter((s) => !refusedForAnalyzerFinding(s));

function refusedForAnalyzerFinding({ spec, live, dr }: Scenario): boolean {
  try {
    planRelease(spec, live, dr);
    return false;
  } catch (e) {
    if (e instanceof InputError && /IST013[01]/.test(e.message)) return true;
    throw e;
  }
}
