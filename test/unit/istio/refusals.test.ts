// Every input the plan refuses, with the exact message a user sees (object, field path, expectation).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { CanarySpec } from '../../../src/spec/types.ts';
import { canarySpec, seedDestinationRule, stage } from '../plan/helpers.ts';

function vs(http: HttpRoute[]): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { hosts: ['catalog'], http } };
}
const toCatalog = (subset?: string) => ({ route: [{ destination: { host: 'catalog', ...(subset ? { subset } : {}) } }] });

function refusal(spec: CanarySpec, live: VirtualService, dr?: DestinationRule): string {
  try {
    planRelease(spec, live, dr);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('owned route', () => {
  it('no route of the spec\'s name', () => {
    expect(refusal(canarySpec({ route: 'primary' }), vs([{ name: 'other', ...toCatalog() }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http: no http route named 'primary' (routes named: 'other'); expected the name given as the spec's route",
    );
  });

  it('no route of the given index', () => {
    expect(refusal(canarySpec({ route: 3 }), vs([toCatalog()]))).toBe(
      'VirtualService istioinaction/catalog: spec.http: no http route at index 3: the VirtualService has 1 http route of its own (indices 0 to 0); expected the index of the route to release',
    );
  });

  it('a route name given, but no route has a name: the way out is the index', () => {
    expect(refusal(canarySpec({ route: 'x' }), vs([toCatalog()]))).toBe(
      "VirtualService istioinaction/catalog: spec.http: no http route named 'x' (no http route has a name: give `route:` the route's index instead (0 for the first)); expected the name given as the spec's route",
    );
  });

  it('every route to the stable version comes after a route that catches all its requests', () => {
    expect(refusal(canarySpec(), vs([{ route: [{ destination: { host: 'reviews' } }] }, toCatalog(), { match: [{ uri: { prefix: '/a' } }], ...toCatalog() }]))).toBe(
      'VirtualService istioinaction/catalog: spec.http[1]: every route to the stable version comes after a route that already catches all its requests (spec.http[1], spec.http[2]), so none of them gets traffic; expected a route to the stable version that requests reach: move it before the route that catches them',
    );
  });

  it('no http route at all (TCP only)', () => {
    const tcpOnly = vs([]);
    tcpOnly.spec.tcp = [{ route: [{ destination: { host: 'catalog' } }] }];
    expect(refusal(canarySpec(), tcpOnly)).toBe(
      'VirtualService istioinaction/catalog: spec.http: no http route: it has 1 `tcp` route only, and istio-canary releases through HTTP routes (header rules, mirrors and weights of `http`); expected the VirtualService whose http routes send to the stable version',
    );
  });

  it.each([
    ['delegate', { delegate: { name: 'catalog-delegate', namespace: 'istioinaction' } }, 'the route delegates to VirtualService istioinaction/catalog-delegate, which holds the routes that send the traffic; expected that VirtualService as the spec\'s virtualService (and its route, if any, as the spec\'s route)'],
    ['redirect', { redirect: { uri: '/v2' } }, 'the route redirects requests (`redirect`) instead of sending them to a version, so there is no traffic to shift; expected the spec\'s `route` to name a route with `route:` destinations (the route the redirect leads to, if it is in this VirtualService)'],
    ['directResponse', { directResponse: { status: 503 } }, 'the route answers requests itself (`directResponse`) instead of sending them to a version, so there is no traffic to shift; expected the spec\'s `route` to name a route with `route:` destinations'],
  ])('the named route is a %s: the real problem first, then the way out', (field, route, message) => {
    expect(refusal(canarySpec({ route: 'primary' }), vs([{ name: 'primary', ...route }]))).toBe(`VirtualService istioinaction/catalog: spec.http[0].${field}: ${message}`);
  });

  it('only a delegate route, no route given: points at the delegate VirtualService', () => {
    expect(refusal(canarySpec(), vs([{ match: [{ uri: { prefix: '/c' } }], delegate: { name: 'catalog-delegate', namespace: 'istioinaction' } }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].delegate: no http route sends traffic to 'catalog' here: the route delegates to VirtualService istioinaction/catalog-delegate, which holds the routes; expected that VirtualService as the spec's virtualService",
    );
  });

  it('spec host not among the routes\' destinations', () => {
    expect(refusal(canarySpec(), vs([{ route: [{ destination: { host: 'reviews' } }] }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http: no http route sends traffic to the stable version (subset 'version-v1' of 'catalog') or only to the canary (found destinations: 'reviews'); expected the spec's host and stable version among the routes' destinations",
    );
    expect(refusal(canarySpec({ route: 0 }), vs([{ route: [{ destination: { host: 'reviews' } }] }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].route: no destination has host 'catalog' (found: 'reviews'); expected the spec's host among the owned route's destinations",
    );
  });

  it('owned route also sends traffic to another host', () => {
    const route = { route: [{ destination: { host: 'catalog' }, weight: 80 }, { destination: { host: 'reviews' }, weight: 20 }] };
    expect(refusal(canarySpec(), vs([route]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].route[1].destination.host: the route also sends traffic to 'reviews' (weight 20); shifting 'catalog' would change that host's share too: keep it at weight 0 (kept as it is), move it to a route of its own, or name another route with `route:` in the spec",
    );
  });

  it('the route sends to a subset that is neither stable nor canary', () => {
    expect(refusal(canarySpec(), vs([toCatalog('version-v0')]))).toBe(
      "VirtualService istioinaction/catalog: spec.http: no http route sends traffic to the stable version (subset 'version-v1' of 'catalog') or only to the canary (found destinations: 'catalog' subset 'version-v0'); expected the spec's host and stable version among the routes' destinations (if the routes send to another subset of the host, that subset is the stable version: name it in the spec's `stable.subset`)",
    );
    expect(refusal(canarySpec({ route: 0 }), vs([toCatalog('version-v0')]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].route[0].destination.subset: the route sends its traffic to subset 'version-v0', which is neither the stable subset 'version-v1' nor the canary subset 'version-v2'; expected the route of the stable version: if 'version-v0' is the version serving now, name it in the spec's `stable.subset` (with its labels), or name another route with `route:`",
    );
  });

  it('owned route splits one version across several destinations (e.g. two ports), which a stage could not keep', () => {
    const route = { route: [{ destination: { host: 'catalog', port: { number: 8080 } }, weight: 50 }, { destination: { host: 'catalog', port: { number: 9090 } }, weight: 50 }] };
    expect(refusal(canarySpec(), vs([route]))).toBe(
      'VirtualService istioinaction/catalog: spec.http[0].route[1]: a second destination of the stable version (after spec.http[0].route[0]); ' +
        'expected one destination per version, as every stage rewrites them into one stable and one canary destination',
    );
  });

  it('a foreign mirror when the plan mirrors', () => {
    expect(refusal(canarySpec(), vs([{ ...toCatalog(), mirror: { host: 'audit' } }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].mirror: the route already mirrors its requests to 'audit', and a route has one `mirror`, so the mirror stage cannot add its own: remove the mirror, or leave out the mirror stage (or, among several routes, release the others with `route:`)",
    );
  });

  it('`mirrors` when the plan mirrors', () => {
    expect(refusal(canarySpec(), vs([{ ...toCatalog(), mirrors: [{ destination: { host: 'audit' } }] }]))).toBe(
      'VirtualService istioinaction/catalog: spec.http[0].mirrors: the route already mirrors its requests (`mirrors`), and Istio allows one of `mirror` and `mirrors` on a route, so the mirror stage cannot add its own: remove the mirror, or leave out the mirror stage (or, among several routes, release the others with `route:`)',
    );
  });

  it('the owned route already matches the cohort header differently', () => {
    const route = { match: [{ headers: { 'x-istio-cohort': { exact: 'beta' } } }], ...toCatalog() };
    expect(refusal(canarySpec({ route: 'r' }), vs([{ name: 'r', ...route }]))).toBe(
      "VirtualService istioinaction/catalog: spec.http[0].match[0].headers.x-istio-cohort: the owned route already matches header 'x-istio-cohort' differently; expected a dark-launch header the route does not match on",
    );
  });

  it('the owned route excludes the cohort header (the header rule could never match)', () => {
    for (const excluded of [{ exact: 'internal' }, {}]) {
      const route = { match: [{ uri: { prefix: '/' } }, { withoutHeaders: { 'x-istio-cohort': excluded } }], ...toCatalog() };
      expect(refusal(canarySpec({ route: 'r' }), vs([{ name: 'r', ...route }]))).toBe(
        "VirtualService istioinaction/catalog: spec.http[0].match[1].withoutHeaders.x-istio-cohort: the owned route excludes requests with header 'x-istio-cohort', so the header rule would match nothing; expected a dark-launch header the route does not exclude",
      );
    }
  });
});

describe('DestinationRule', () => {
  it('canary labels clash with another subset', () => {
    const dr = seedDestinationRule();
    dr.spec.subsets = [{ name: 'version-v1', labels: { version: 'v1' } }, { name: 'next', labels: { version: 'v2' } }];
    expect(refusal(canarySpec(), vs([toCatalog()]), dr)).toBe(
      "DestinationRule istioinaction/catalog: spec.subsets[1].labels: subset 'next' already selects labels {version: v2} of subset 'version-v2'; expected each version's labels in one subset only",
    );
  });

  it('a subset of the canary\'s name exists with other labels', () => {
    const dr = seedDestinationRule();
    dr.spec.subsets![1]!.labels = { version: 'v2-beta' };
    expect(refusal(canarySpec(), vs([toCatalog()]), dr)).toBe(
      "DestinationRule istioinaction/catalog: spec.subsets[1].labels: subset 'version-v2' exists with labels {version: v2-beta}; the spec expects {version: v2}",
    );
  });

  it('a DestinationRule of another host', () => {
    const dr = seedDestinationRule();
    dr.spec.host = 'reviews';
    expect(refusal(canarySpec(), vs([toCatalog()]), dr)).toBe(
      "DestinationRule istioinaction/catalog: spec.host: host 'reviews' is not the spec's host 'catalog'; expected the DestinationRule of the host the canary shifts",
    );
  });
});

describe('DestinationRule visibility (exportTo)', () => {
  const dr = (exportTo?: string[]): DestinationRule => ({ ...seedDestinationRule(), ...(exportTo ? { spec: { ...seedDestinationRule().spec, exportTo } } : {}) });
  const live = (extra: Partial<VirtualService['spec']> = {}): VirtualService => ({ ...vs([toCatalog()]), spec: { ...vs([toCatalog()]).spec, ...extra } });

  it('refuses a DestinationRule its VirtualService\'s callers cannot see (their subset routes would answer 503 NC)', () => {
    expect(refusal(canarySpec(), live(), dr(['.']))).toBe(
      'DestinationRule istioinaction/catalog: spec.exportTo: exported to . only, but VirtualService istioinaction/catalog routes callers in every namespace to its subsets, ' +
        'and callers that cannot see the subsets get 503 (NC); expected exportTo to include * (or leave it out)',
    );
    expect(refusal(canarySpec(), live({ exportTo: ['.'], gateways: ['istio-system/public'] }), dr(['.']))).toContain(
      'routes callers in istio-system to its subsets, and callers that cannot see the subsets get 503 (NC); expected exportTo to include istio-system',
    );
  });

  it('accepts one that every caller of the VirtualService can see', () => {
    expect(() => planRelease(canarySpec(), live({ exportTo: ['.'] }), dr(['.']))).not.toThrow();
    expect(() => planRelease(canarySpec(), live({ exportTo: ['.'], gateways: ['istio-system/public', 'mesh'] }), dr(['.', 'istio-system']))).not.toThrow();
    expect(() => planRelease(canarySpec(), live({ exportTo: ['.'], gateways: ['public', 'public.istioinaction.svc.cluster.local'] }), dr(['.']))).not.toThrow();
    expect(() => planRelease(canarySpec(), live(), dr(['*']))).not.toThrow();
    expect(() => planRelease(canarySpec(), live(), dr())).not.toThrow();
  });
});

describe('objects that are not the spec\'s', () => {
  it('a VirtualService of another name', () => {
    expect(refusal(canarySpec({ virtualService: 'catalog-vs-from-gw' }), vs([toCatalog()]))).toBe(
      "VirtualService istioinaction/catalog: metadata.name: expected the VirtualService 'catalog-vs-from-gw' named in the spec",
    );
  });

  it('a manifest of the wrong kind', () => {
    const notVs = { ...vs([toCatalog()]), kind: 'DestinationRule' } as unknown as VirtualService;
    expect(refusal(canarySpec(), notVs)).toBe('DestinationRule istioinaction/catalog: kind: expected kind VirtualService');
  });

  it('a VirtualService in another namespace', () => {
    const live = vs([toCatalog()]);
    live.metadata.namespace = 'default';
    expect(refusal(canarySpec(), live)).toBe("VirtualService default/catalog: metadata.namespace: expected namespace 'istioinaction' from the spec");
  });
});

describe('invalid live objects (CRD schema and webhook rules)', () => {
  it('a destination without host', () => {
    expect(refusal(canarySpec(), vs([toCatalog(), { match: [{}], route: [{ destination: {} as never }] }]))).toBe(
      'VirtualService istioinaction/catalog: spec.http[1].route[0].destination.host: is required',
    );
  });

  it('a weight that is not an integer', () => {
    const live = vs([{ route: [{ destination: { host: 'catalog' }, weight: 'ten' as unknown as number }] }]);
    expect(refusal(canarySpec(), live)).toBe('VirtualService istioinaction/catalog: spec.http[0].route[0].weight: must be integer');
  });

  it('a header match with two operators', () => {
    const live = vs([{ match: [{ headers: { 'x-a': { exact: 'a', prefix: 'b' } } }], ...toCatalog() }, toCatalog()]);
    expect(refusal(canarySpec(), live)).toBe(
      'VirtualService istioinaction/catalog: spec.http[0].match[0].headers.x-a: expected exactly one of exact, prefix, regex (or {} for "present")',
    );
  });

  it('total weight 0 across several destinations', () => {
    const live = vs([{ route: [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 0 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 0 }] }]);
    expect(refusal(canarySpec(), live)).toBe(
      'VirtualService istioinaction/catalog: spec.http[0].route: total destination weight = 0; with several destinations the weights must add up to more than 0',
    );
  });
});

describe('spec invariants', () => {
  it('invalid subset name', () => {
    const spec = canarySpec();
    expect(refusal({ ...spec, canary: { ...spec.canary, subset: 'Version_2' } }, vs([toCatalog()]))).toBe(
      "canary.yaml spec.canary.subset: 'Version_2' is not a valid subset name; expected a DNS-1123 label (lowercase letters, digits, '-')",
    );
  });

  it('stable and canary equal', () => {
    const spec = canarySpec();
    expect(refusal({ ...spec, canary: spec.stable }, vs([toCatalog()]))).toBe(
      "canary.yaml spec.canary.subset: stable and canary are both 'version-v1'; expected two different subsets\n" +
        'canary.yaml spec.canary.labels: stable and canary select the same pod labels; expected labels that tell the versions apart',
    );
  });

  it('non-increasing weights', () => {
    expect(refusal(canarySpec({ stages: [stage.weight(50), stage.weight(50)] }), vs([toCatalog()]))).toBe(
      'canary.yaml spec.stages[1].weight: weight 50 does not increase on the previous weight 50; expected increasing weights',
    );
  });

  it('weight outside 0..100', () => {
    expect(refusal(canarySpec({ stages: [stage.weight(120)] }), vs([toCatalog()]))).toBe(
      'canary.yaml spec.stages[0].weight: weight 120 is outside 0..100; expected an integer percentage',
    );
  });
});
