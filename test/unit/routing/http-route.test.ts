// The HTTPRoute edits: each stage's route from a live route, and back. Properties over generated
// routes (foreign rules and filters of every kind, owned rules with matches, filters, timeouts):
// every rule the canary does not own and every field and filter of the owned rule it does not
// manage are kept; stripping a stage gives the baseline back; the traffic read back is the
// stage's; and routed by the simulator's Gateway API router (checked against Istio), the cohort
// reaches the canary exactly where it reached the owned rule and no other request changes route.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { headerRuleMarkKey, headerRuleName } from '../../../src/routing/http-route/header-rule.ts';
import { applyStage, readTraffic, stripCanary, type HttpRouteCanary, type StageTraffic } from '../../../src/routing/http-route/traffic.ts';
import type { HTTPRoute, RouteRule } from '../../../src/routing/http-route/types.ts';
import { CATALOG_HOST, NS, ROUTE_SERVICES, httpRouteProbes, route, routeMatch, rule as foreignRule } from '../../oracle/http-route-cases.ts';
import { chooseHttpRoute } from '../../sim/http-route.ts';

const canary: HttpRouteCanary = { canaryName: 'catalog', rule: 'main', services: { namespace: NS, stable: 'catalog-v1', canary: 'catalog-v2' } };
const COHORT = { 'x-canary': { exact: 'internal' } };
const registry = { clusterDomain: 'cluster.local', hasService: (fqdn: string) => ROUTE_SERVICES.some((s) => `${s.name}.${s.namespace}.svc.cluster.local` === fqdn) };

const ownedRule: fc.Arbitrary<RouteRule> = fc
  .record({
    matches: fc.option(fc.array(routeMatch, { minLength: 1, maxLength: 2 }), { nil: undefined }),
    headerFilter: fc.boolean(),
    foreignMirror: fc.boolean(),
    timeouts: fc.boolean(),
  })
  .map(({ matches, headerFilter, foreignMirror, timeouts }) => {
    const filters = [
      ...(headerFilter ? [{ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-from', value: 'mesh' }] } }] : []),
      ...(foreignMirror ? [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog', port: 80 }, percent: 5 } }] : []),
    ];
    return {
      name: 'main',
      ...(matches ? { matches } : {}),
      ...(filters.length > 0 ? { filters } : {}),
      ...(timeouts ? { timeouts: { request: '10s' } } : {}),
      backendRefs: [{ name: 'catalog-v1', port: 80 }],
    };
  });

const liveRoute: fc.Arbitrary<{ live: HTTPRoute; ownedAt: number }> = fc
  .record({ before: fc.array(foreignRule, { maxLength: 3 }), owned: ownedRule, after: fc.array(foreignRule, { maxLength: 3 }) })
  .map(({ before, owned, after }) => {
    const live = route('catalog', NS, '2026-01-01T00:00:00Z', [...before, owned, ...after]);
    live.metadata.annotations = { team: 'shop' };
    live.spec.hostnames = ['catalog.example'];
    return { live, ownedAt: before.length };
  });

const stage: fc.Arbitrary<StageTraffic> = fc.oneof(
  fc.constant<StageTraffic>({ headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 }),
  fc.record({ mirrorPercentage: fc.constantFrom(0.5, 10, 33.3333, 100), canaryWeight: fc.constant(0) }).map((s) => ({ headers: COHORT, ...s })),
  fc.record({ mirrorPercentage: fc.constantFrom(0, 25), canaryWeight: fc.constantFrom(10, 50, 90) }),
  fc.constant<StageTraffic>({ mirrorPercentage: 0, canaryWeight: 100 }),
);

/** Runs `f`, counting the plans refused with an InputError (e.g. a match ranked between). */
const refused = { count: 0, total: 0 };
function planned<T>(f: () => T): T | undefined {
  refused.total++;
  try {
    return f();
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    refused.count++;
    return undefined;
  }
}

const withoutOwnedAndDark = (r: HTTPRoute) => (r.spec.rules ?? []).filter((x) => x.name !== 'main' && x.name !== headerRuleName('catalog'));

describe('HTTPRoute stage edits', () => {
  it('keep every foreign rule, route field and owned-rule option; strip back to the baseline; read back the stage', () => {
    fc.assert(
      fc.property(liveRoute, stage, ({ live }, s) => {
        const baseline = stripCanary(live, canary);
        const out = planned(() => applyStage(baseline, canary, s));
        if (out === undefined) return;
        const desired = out.route;
        expect(withoutOwnedAndDark(desired)).toEqual(withoutOwnedAndDark(live));
        expect(desired.spec.parentRefs).toEqual(live.spec.parentRefs);
        expect(desired.spec.hostnames).toEqual(live.spec.hostnames);
        expect(desired.metadata.annotations?.team).toBe('shop');
        const owned = desired.spec.rules!.find((r) => r.name === 'main')!;
        const liveOwned = live.spec.rules!.find((r) => r.name === 'main')!;
        expect(owned.matches).toEqual(liveOwned.matches);
        expect(owned.timeouts).toEqual(liveOwned.timeouts);
        expect((owned.filters ?? []).filter((f) => f.requestMirror?.backendRef.name !== 'catalog-v2')).toEqual(liveOwned.filters ?? []);
        expect({ ...stripCanary(desired, canary), hadHeaderRule: false }).toEqual({ ...baseline, hadHeaderRule: false });
        expect(stripCanary(desired, canary, { rollback: true }).route).toEqual(baseline.route);
        const traffic = readTraffic(desired, canary);
        expect(traffic).toEqual({
          shape: s.canaryWeight === 0 ? 'stable' : s.canaryWeight === 100 ? 'canary' : 'split',
          canaryWeight: s.canaryWeight,
          mirrorPercentage: s.mirrorPercentage,
          headerRule: s.headers !== undefined && s.canaryWeight < 100,
        });
      }),
      { numRuns: 300 },
    );
    expect(refused.count / refused.total).toBeLessThan(0.5);
  });

  it('routed per Gateway API, the cohort reaches the canary exactly where it reached the owned rule, and nobody else does', () => {
    fc.assert(
      fc.property(liveRoute, ({ live }) => {
        const out = planned(() => applyStage(stripCanary(live, canary), canary, { headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 }));
        if (out === undefined) return;
        expect(out.reach?.statement).toMatch(/the dark-launch match ranks #\d+, (directly )?above the owned match #\d+ \(.+\) it copies/);
        for (const probe of httpRouteProbes([live])) {
          for (const cohort of [false, true]) {
            const headers = cohort ? { ...probe.headers, 'x-canary': 'internal' } : probe.headers;
            const req = { host: CATALOG_HOST, uri: probe.path, method: probe.method, headers, authority: CATALOG_HOST, sourceNamespace: 'web', gateway: 'mesh' };
            const before = chooseHttpRoute([live], req, registry);
            const after = chooseHttpRoute([out.route], req, registry);
            const beforeRule = before?.kind === 'noRoute' ? undefined : live.spec.rules![before!.rule];
            const afterRule = after?.kind === 'noRoute' ? undefined : out.route.spec.rules![after!.rule];
            if (cohort && beforeRule?.name === 'main') {
              expect(afterRule?.name).toBe(headerRuleName('catalog'));
              expect(after?.kind === 'route' && after.clusters.map((c) => c.host)).toEqual([`catalog-v2.${NS}.svc.cluster.local`]);
            } else if (beforeRule?.name === 'main') {
              // The owned rule itself (its weight made explicit): same rule, same backends.
              expect(afterRule?.name).toBe('main');
              expect({ ...after, rule: 0 }).toEqual({ ...before, rule: 0 });
            } else {
              expect(afterRule).toEqual(beforeRule);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('HTTPRoute edits refuse clearly', () => {
  const base = route('catalog', NS, '2026-01-01T00:00:00Z', [
    { name: 'main', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'catalog-v1', port: 80 }] },
  ]);

  it('an owned match that already matches the cohort header', () => {
    const live = structuredClone(base);
    live.spec.rules![0]!.matches![0]!.headers = [{ name: 'X-Canary', value: 'beta' }];
    expect(() => applyStage(stripCanary(live, canary), canary, { headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 })).toThrow(
      "HTTPRoute shop/catalog: spec.rules[0].matches[0].headers[0]: the owned rule already matches header 'X-Canary'",
    );
  });

  it('a foreign match between the dark-launch match and the owned one', () => {
    const live = structuredClone(base);
    live.spec.rules!.push({ name: 'team', matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-team', value: 'a' }] }], backendRefs: [{ name: 'catalog', port: 80 }] });
    expect(() => applyStage(stripCanary(live, canary), canary, { headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 })).toThrow(
      'HTTPRoute shop/catalog: spec.rules[0].matches[0]: spec.rules[1].matches[0] ranks between the dark-launch match and the owned match',
    );
    // A match of another route on the same parent counts too.
    const sibling = route('team', NS, '2026-01-01T00:00:00Z', [live.spec.rules![1]!]);
    expect(() => applyStage(stripCanary(base, canary), canary, { headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 }, [sibling])).toThrow(/HTTPRoute shop\/team spec\.rules\[0\]\.matches\[0\] ranks between/);
  });

  it('a rule named like the dark-launch rule without our mark, an ambiguous or missing owned rule, another backend', () => {
    const squatter = structuredClone(base);
    squatter.spec.rules!.unshift({ name: headerRuleName('catalog'), backendRefs: [{ name: 'catalog-v2', port: 80 }] });
    expect(() => stripCanary(squatter, canary)).toThrow(`no annotation ${headerRuleMarkKey('catalog')} marks it`);
    const two = structuredClone(base);
    two.spec.rules!.push({ backendRefs: [{ name: 'catalog-v1', port: 80 }] });
    expect(() => stripCanary(two, { ...canary, rule: undefined } as HttpRouteCanary)).toThrow('2 rules send to the stable Service');
    expect(() => stripCanary(base, { ...canary, rule: 'nope' })).toThrow("no rule named 'nope' (rules named: 'main')");
    const mixed = structuredClone(base);
    mixed.spec.rules![0]!.backendRefs!.push({ name: 'legacy', port: 80 });
    expect(() => stripCanary(mixed, canary)).toThrow("the owned rule also sends to 'legacy'");
  });

  it('a route that has no room for the dark-launch rule', () => {
    const full = structuredClone(base);
    for (let i = 0; i < 15; i++) full.spec.rules!.push({ name: `r${i}`, matches: [{ path: { type: 'Exact', value: `/x${i}` } }], backendRefs: [{ name: 'catalog', port: 80 }] });
    expect(() => applyStage(stripCanary(full, canary), canary, { headers: COHORT, mirrorPercentage: 0, canaryWeight: 0 })).toThrow('17 rules; an HTTPRoute holds at most 16');
  });
});
