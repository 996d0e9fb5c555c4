import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { route, pickWeighted, type Decision } from '../../sim/router.ts';
import { mirrorClusters } from '../../sim/route-choice.ts';
import { seededRandom } from '../../sim/rng.ts';
import { CATALOG, NS, context, demoWorld, destinationRule, meshRequest, serviceEntry, to, virtualService } from './fixtures.ts';

function liveVersion(d: Decision): string {
  if (d.live.kind === 'served') return d.live.version.name;
  if (d.live.kind === 'local') return `${d.live.code} ${d.live.flag}`;
  return `${d.live.cluster}`;
}

const _darkLaunch = virtualService([
  { match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], route: [to('version-v2')] },
  { route: [to('version-v1')] },
]);

describe('header matches', () => {
  const cases: Array<[string, Record<string, unknown>, Record<string, string>, string]> = [
    ['exact hit', { exact: 'internal' }, { 'x-istio-cohort': 'internal' }, 'v2'],
    ['exact is case-sensitive', { exact: 'internal' }, { 'x-istio-cohort': 'Internal' }, 'v1'],
    ['exact is not a prefix', { exact: 'internal' }, { 'x-istio-cohort': 'internal-2' }, 'v1'],
    ['absent header', { exact: 'internal' }, {}, 'v1'],
    ['prefix hit', { prefix: 'int' }, { 'x-istio-cohort': 'internal' }, 'v2'],
    ['prefix miss', { prefix: 'ext' }, { 'x-istio-cohort': 'internal' }, 'v1'],
    ['regex must match the whole value', { regex: 'inter' }, { 'x-istio-cohort': 'internal' }, 'v1'],
    ['regex full match', { regex: 'inter.*' }, { 'x-istio-cohort': 'internal' }, 'v2'],
    ['present {} with empty value', {}, { 'x-istio-cohort': '' }, 'v2'],
    ['present {} absent', {}, {}, 'v1'],
  ];
  it.each(cases)('%s', (_name, matcher, headers, expected) => {
    const vs = virtualService([{ match: [{ headers: { 'x-istio-cohort': matcher } }], route: [to('version-v2')] }, { route: [to('version-v1')] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest(headers)))).toBe(expected);
  });

  it('withoutHeaders inverts a header condition', () => {
    const vs = virtualService([{ match: [{ withoutHeaders: { 'x-istio-cohort': { exact: 'internal' } } }], route: [to('version-v1')] }, { route: [to('version-v2')] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest({ 'x-istio-cohort': 'internal' })))).toBe('v2');
    expect(liveVersion(route(ctx, meshRequest({})))).toBe('v1');
  });

  it('conditions in a block are ANDed, blocks are ORed', () => {
    const vs = virtualService([
      {
        match: [{ headers: { a: { exact: '1' }, b: { exact: '2' } } }, { uri: { prefix: '/beta' } }],
        route: [to('version-v2')],
      },
      { route: [to('version-v1')] },
    ]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest({ a: '1' })))).toBe('v1');
    expect(liveVersion(route(ctx, meshRequest({ a: '1', b: '2' })))).toBe('v2');
    expect(liveVersion(route(ctx, meshRequest({}, '/beta/items?x=1')))).toBe('v2');
  });
});

describe('rule order and host selection', () => {
  it('the first matching rule wins even when a later one also matches', () => {
    const vs = virtualService([{ route: [to('version-v1')] }, { match: [{ headers: { 'x-istio-cohort': { exact: 'internal' } } }], route: [to('version-v2')] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest({ 'x-istio-cohort': 'internal' })))).toBe('v1');
  });

  it('no rule matching answers 404 NR', () => {
    const vs = virtualService([{ match: [{ uri: { exact: '/only' } }], route: [to('version-v1')] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest()))).toBe('404 NR');
  });

  it.each(['catalog', CATALOG])('VS host %s selects the service', (host) => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v2')] }], { hosts: [host] })], destinationRules: [destinationRule()] });
    for (let i = 0; i < 5; i++) expect(liveVersion(route(ctx, meshRequest()))).toBe('v2');
  });

  it.each([`catalog.${NS}`, `catalog.${NS}.svc`])('VS host %s is literal: requests for the service FQDN keep its default route', (host) => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v2')] }], { hosts: [host] })], destinationRules: [destinationRule()] });
    const seen = new Set(Array.from({ length: 6 }, () => liveVersion(route(ctx, meshRequest()))));
    expect(seen).toEqual(new Set(['v1', 'v2']));
    // A request whose Host is that literal name takes the VirtualService.
    for (let i = 0; i < 5; i++) expect(liveVersion(route(ctx, meshRequest({}, '/items', host)))).toBe('v2');
  });

  it('a destination written catalog.ns is not the service catalog of ns: 503 NC', () => {
    const vs = virtualService([{ route: [{ destination: { host: `catalog.${NS}`, subset: 'version-v2' } }] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest()))).toBe('503 NC');
  });

  it('a DestinationRule for host catalog.ns does not give the service catalog its subsets', () => {
    const dr = destinationRule();
    const literal = { ...dr, spec: { ...dr.spec, host: `catalog.${NS}` } };
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v2')] }])], destinationRules: [literal] });
    expect(liveVersion(route(ctx, meshRequest()))).toBe('503 NC');
  });

  it('a Host header naming an alias of the service (catalog.ns) reaches the service and its VirtualService', () => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v2')] }])], destinationRules: [destinationRule()] });
    for (const host of [`catalog.${NS}`, `catalog.${NS}.svc`, 'catalog']) {
      expect(liveVersion(route(ctx, meshRequest({}, '/items', host)))).toBe('v2');
    }
  });

  it('a VS bound only to a gateway does not apply to mesh traffic, and applies at that gateway', () => {
    const vs = virtualService([{ route: [to('version-v2')] }], { hosts: ['catalog.istioinaction.io'], gateways: ['catalog-gateway'] }, 'catalog-vs-from-gw');
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    const seen = new Set(Array.from({ length: 6 }, () => liveVersion(route(ctx, meshRequest()))));
    expect(seen).toEqual(new Set(['v1', 'v2']));
    const viaGateway = { ...meshRequest({}, '/items', 'catalog.istioinaction.io'), gateway: `${NS}/catalog-gateway` };
    for (let i = 0; i < 5; i++) expect(liveVersion(route(ctx, viaGateway))).toBe('v2');
    expect(liveVersion(route(ctx, { ...viaGateway, host: 'other.example.com' }))).toBe('404 NR');
  });

  it('without a VirtualService, requests go round-robin over every ready endpoint', () => {
    const ctx = context(demoWorld(), {});
    const picks = Array.from({ length: 9 }, () => liveVersion(route(ctx, meshRequest())));
    expect(picks.filter((v) => v === 'v1')).toHaveLength(6); // 2 replicas of v1, 1 of v2
    expect(picks.filter((v) => v === 'v2')).toHaveLength(3);
  });
});

describe('weights', () => {
  it('zero weight is never chosen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 100 }), (seed, w) => {
        const random = seededRandom(seed);
        const route = [{ weight: 0, id: 'canary' }, { weight: w, id: 'stable' }, { weight: 0, id: 'other' }];
        for (let i = 0; i < 50; i++) expect(pickWeighted(route, random)?.id).toBe('stable');
      }),
    );
  });

  it('a single destination gets everything whatever its weight', () => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v2', 0)] }])], destinationRules: [destinationRule()] });
    for (let i = 0; i < 20; i++) expect(liveVersion(route(ctx, meshRequest()))).toBe('v2');
  });

  it('weights are proportional even when they do not sum to 100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (a, b, u) => {
        // One uniform draw u picks the first destination exactly when u < a / (a + b).
        const picked = pickWeighted([{ weight: a, id: 'a' }, { weight: b, id: 'b' }], () => u)?.id;
        expect(picked).toBe(u * (a + b) < a ? 'a' : 'b');
      }),
    );
  });

  it('a VirtualService istiod would reject (total weight 0) never takes effect', () => {
    const vs = virtualService([{ route: [to('version-v1', 0), to('version-v2', 0)] }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    expect(ctx.table.rejected).toEqual([{ name: `${NS}/catalog`, reason: 'http[0]: total destination weight = 0' }]);
    expect(route(ctx, meshRequest()).virtualService).toBeUndefined();
  });
});

describe('subsets', () => {
  it('a subset missing from the DestinationRule answers 503 NC', () => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v3')] }])], destinationRules: [destinationRule()] });
    expect(liveVersion(route(ctx, meshRequest()))).toBe('503 NC');
  });

  it('a subset with no DestinationRule at all answers 503 NC', () => {
    const ctx = context(demoWorld(), { virtualServices: [virtualService([{ route: [to('version-v1')] }])] });
    expect(liveVersion(route(ctx, meshRequest()))).toBe('503 NC');
  });

  it('a subset whose pods are not ready answers 503 UH', () => {
    const ctx = context(demoWorld({ v2Replicas: 0 }), { virtualServices: [virtualService([{ route: [to('version-v2')] }])], destinationRules: [destinationRule()] });
    const d = route(ctx, meshRequest());
    expect(liveVersion(d)).toBe('503 UH');
    expect(d.live.kind === 'local' && d.live.service?.name).toBe('catalog');
  });
});

describe('mirroring', () => {
  const mirrored = (pct?: number) =>
    virtualService([{ route: [to('version-v1', 100)], mirror: { host: 'catalog', subset: 'version-v2' }, ...(pct === undefined ? {} : { mirrorPercentage: { value: pct } }) }]);

  it('unset mirrorPercentage mirrors every request, live traffic stays on the route', () => {
    const ctx = context(demoWorld(), { virtualServices: [mirrored()], destinationRules: [destinationRule()] });
    for (let i = 0; i < 50; i++) {
      const d = route(ctx, meshRequest());
      expect(liveVersion(d)).toBe('v1');
      expect(d.mirrors.map((m) => m.version.name)).toEqual(['v2']);
    }
  });

  it('mirrorPercentage 0 never mirrors', () => {
    const ctx = context(demoWorld(), { virtualServices: [mirrored(0)], destinationRules: [destinationRule()] });
    for (let i = 0; i < 200; i++) expect(route(ctx, meshRequest()).mirrors).toEqual([]);
  });

  it('mirrorPercentage 25 mirrors about a quarter (binomial 99.9 % band)', () => {
    const ctx = context(demoWorld(), { virtualServices: [mirrored(25)], destinationRules: [destinationRule()] }, 7);
    const n = 4000;
    let count = 0;
    for (let i = 0; i < n; i++) count += route(ctx, meshRequest()).mirrors.length;
    const sd = Math.sqrt(n * 0.25 * 0.75);
    expect(Math.abs(count - n * 0.25)).toBeLessThan(3.29 * sd);
  });

  it('mirrors[] each use their own percentage; a mirror to a missing subset is dropped silently', () => {
    const vs = virtualService([
      {
        route: [to('version-v1')],
        mirrors: [{ destination: { host: 'catalog', subset: 'version-v2' } }, { destination: { host: 'catalog', subset: 'nope' }, percentage: { value: 100 } }],
      },
    ]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    const d = route(ctx, meshRequest());
    expect(liveVersion(d)).toBe('v1');
    expect(d.mirrors.map((m) => m.version.name)).toEqual(['v2']);
  });
});

describe('outbound policy', () => {
  const external = 'jsonplaceholder.typicode.com';
  it.each([
    ['ALLOW_ANY', [], 'PassthroughCluster'],
    ['REGISTRY_ONLY', [], 'BlackHoleCluster'],
    ['REGISTRY_ONLY', [serviceEntry(external)], 'ServiceEntry'],
    ['ALLOW_ANY', [serviceEntry(external)], 'ServiceEntry'],
  ] as const)('%s with %j ServiceEntries goes to %s', (policy, entries, cluster) => {
    const ctx = context(demoWorld({ policy }), { serviceEntries: [...entries] });
    const d = route(ctx, meshRequest({}, '/posts', external));
    expect(d.live.kind === 'outbound' && d.live.cluster).toBe(cluster);
    if (cluster === 'BlackHoleCluster') expect(d.live.kind === 'outbound' && 'code' in d.live && d.live.code).toBe(502);
  });

  it('a wildcard ServiceEntry host admits its subdomains only', () => {
    const ctx = context(demoWorld({ policy: 'REGISTRY_ONLY' }), { serviceEntries: [serviceEntry('*.typicode.com')] });
    expect((route(ctx, meshRequest({}, '/', 'api.typicode.com')).live as { cluster: string }).cluster).toBe('ServiceEntry');
    expect((route(ctx, meshRequest({}, '/', 'typicode.com.evil.io')).live as { cluster: string }).cluster).toBe('BlackHoleCluster');
  });
});

describe('first match wins (property)', () => {
  it('the rule chosen is the first whose exact header value equals the request header', () => {
    const value = fc.constantFrom('a', 'b', 'c', 'd');
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), fc.option(value, { nil: undefined }), (ruleValues, sent) => {
        const http = [
          ...ruleValues.map((v) => ({ match: [{ headers: { 'x-cohort': { exact: v } } }], route: [to('version-v2')] })),
          { route: [to('version-v1')] },
        ];
        const ctx = context(demoWorld(), { virtualServices: [virtualService(http)], destinationRules: [destinationRule()] });
        const d = route(ctx, meshRequest(sent === undefined ? {} : { 'x-cohort': sent }));
        const first = sent === undefined ? -1 : ruleValues.indexOf(sent);
        expect(d.rule).toBe(first >= 0 ? first : ruleValues.length);
        expect(liveVersion(d)).toBe(first >= 0 ? 'v2' : 'v1');
      }),
    );
  });
});

describe('as pilot translates a rule (issue 7)', () => {
  const dark = (matcher: Record<string, unknown>, where: 'headers' | 'withoutHeaders') =>
    virtualService([{ match: [{ [where]: { 'x-cohort': matcher } }], route: [to('version-v2')] }, { route: [to('version-v1')] }]);
  const versionFor = (vs: ReturnType<typeof virtualService>, headers: Record<string, string>) =>
    liveVersion(route(context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] }), meshRequest(headers)));

  it.each([
    ['(?i)internal', 'INTERNAL', 'v2'],
    ['(?P<team>[a-z]+)-beta', 'search-beta', 'v2'],
    ['(?P<team>[a-z]+)-beta', 'search-gamma', 'v1'],
    ['\\pL+', 'héllo', 'v2'],
  ])('RE2 syntax %s against %s', (regex, value, expected) => {
    expect(versionFor(dark({ regex }, 'headers'), { 'x-cohort': value })).toBe(expected);
  });

  it('regex "*" is a presence match, as pilot translates it', () => {
    expect(versionFor(dark({ regex: '*' }, 'headers'), { 'x-cohort': 'anything' })).toBe('v2');
    expect(versionFor(dark({ regex: '*' }, 'headers'), {})).toBe('v1');
  });

  it.each([
    [{ regex: '.*' }, {}, 'v1'],
    [{ regex: '.*' }, { 'x-cohort': 'x' }, 'v1'],
    [{ exact: '' }, {}, 'v1'],
    [{ exact: 'internal' }, {}, 'v2'],
    [{ regex: 'a+' }, {}, 'v2'],
    [{}, {}, 'v2'],
    [{}, { 'x-cohort': '' }, 'v1'],
  ])('withoutHeaders %j with headers %j: a missing header is the empty value unless it is a presence match', (matcher, headers, expected) => {
    expect(versionFor(dark(matcher, 'withoutHeaders'), headers)).toBe(expected);
  });

  it.each([
    [{ mirrorPercentage: { value: 33.333333 } }, [333_333]],
    [{ mirrorPercentage: { value: 0.00005 } }, []],
    [{ mirrorPercentage: { value: 0 } }, []],
    [{ mirrorPercentage: { value: 0.57 } }, [5_699]],
    [{ mirrorPercent: 25 }, [250_000]],
    [{ mirrorPercent: 0 }, []],
    [{ mirrorPercentage: { value: 10 }, mirrorPercent: 50 }, [100_000]],
    [{}, [1_000_000]],
  ])('mirror with %j mirrors %j per million', (fields, expected) => {
    const rule = { route: [to('version-v1')], mirror: { host: 'catalog', subset: 'version-v2' }, ...fields };
    expect(mirrorClusters(rule, NS, 'cluster.local', 80).map((m) => m.perMillion)).toEqual(expected);
  });

  it('the deprecated mirrorPercent is honoured when routing', () => {
    const vs = virtualService([{ route: [to('version-v1')], mirror: { host: 'catalog', subset: 'version-v2' }, mirrorPercent: 0 }]);
    const ctx = context(demoWorld(), { virtualServices: [vs], destinationRules: [destinationRule()] });
    for (let i = 0; i < 20; i++) expect(route(ctx, meshRequest()).mirrors).toEqual([]);
  });
});
