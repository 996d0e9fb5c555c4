// Properties of the plan over random valid VirtualServices and specs, with one or several owned routes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { istioProblems } from '../../../src/istio/validate.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { Plan, PlannedStage } from '../../../src/plan/types.ts';
import { scenarioArb, type Scenario } from './arbitraries.ts';
import { headerRuleMarkKey } from '../../../src/istio/header-rule.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';
import { simulatorTable } from '../../oracle/agreement.ts';
import { satisfying } from '../../oracle/probe-requests.ts';
import { chooseRoute } from '../../sim/route-choice.ts';

const HEADER_RULE = /^catalog-dark-launch(-[0-9]+)?$/;
const runs = { numRuns: 100 };
// Each run plans several times on a shared CI core; the default 5 s per test is too tight.
const SLOW = 120_000;

const isRule = (r: HttpRoute) => typeof r.name === 'string' && HEADER_RULE.test(r.name);

/** The owned routes of a produced VirtualService (at their live indices once the header rules are taken
 * out), the other routes, and the header rule right before each owned route (if any). */
function split(vs: VirtualService, ownedIndices: number[]) {
  const http = vs.spec.http!;
  const rest = http.filter((r) => !isRule(r));
  const owned = ownedIndices.map((i) => rest[i]!);
  const rules = owned.map((route) => {
    const before = http[http.indexOf(route) - 1];
    return before && isRule(before) ? before : undefined;
  });
  return { owned, others: rest.filter((_, i) => !ownedIndices.includes(i)), rules, ruleCount: http.length - rest.length };
}

const everyOutcome = (plan: Plan): PlannedStage[] => [...plan.stages, plan.promoted, plan.rollback];
// Where the release is and which live routes it owns describe the live object planned from, not the plan.
const withoutDetected = ({ detected: _d, liveTraffic: _l, routes: _r, ...rest }: Plan) => rest;

describe('plan properties', () => {
  it('every produced object passes the CRD shape and webhook rules', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }: Scenario) => {
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          expect(istioProblems(virtualServiceOf(s))).toEqual([]);
          expect(istioProblems(destinationRuleOf(s))).toEqual([]);
        }
      }),
      runs,
    );
  }, SLOW);

  it('owns exactly the generated owned routes', () => {
    let several = 0;
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndices }: Scenario) => {
        expect(planRelease(spec, live, dr).routes).toEqual({ owned: ownedIndices, shadowed: [] });
        if (ownedIndices.length > 1) several++;
      }),
      runs,
    );
    // The generator must exercise several owned routes, not just one.
    expect(several).toBeGreaterThan(runs.numRuns / 10);
  }, SLOW);

  it('every owned route has explicit weights summing to 100 whenever it has two destinations, matching the traffic state', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndices }: Scenario) => {
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          for (const owned of split(virtualServiceOf(s), ownedIndices).owned) {
            const route = owned.route!;
            if (route.length > 1) {
              expect(route.reduce((a, d) => a + d.weight!, 0)).toBe(100);
              expect(route.find((d) => d.destination.subset === 'version-v2')!.weight).toBe(s.traffic.canaryWeight);
            } else {
              expect(route[0]!.destination.subset).toBe(s.traffic.canaryWeight === 100 ? 'version-v2' : 'version-v1');
            }
          }
        }
      }),
      runs,
    );
  }, SLOW);

  it('every route the canary does not own, and everything outside http, is as the input had it', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndices }: Scenario) => {
        const liveOthers = live.spec.http!.filter((_, i) => !ownedIndices.includes(i));
        const { http: _h, ...liveRest } = live.spec;
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          expect(split(virtualServiceOf(s), ownedIndices).others).toEqual(liveOthers);
          const { http: _h2, ...rest } = virtualServiceOf(s).spec;
          expect(rest).toEqual(liveRest);
          const { annotations: all, ...metadata } = virtualServiceOf(s).metadata;
          const { [headerRuleMarkKey('catalog')]: mark, ...annotations } = all ?? {};
          expect({ ...metadata, ...(Object.keys(annotations).length ? { annotations } : {}) }).toEqual(live.metadata);
          expect(mark !== undefined).toBe(s.traffic.headerRule);
        }
      }),
      runs,
    );
  }, SLOW);

  it('is idempotent: planning from any stage\'s VirtualService gives the same plan and detects that stage', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }: Scenario) => {
        const plan = planRelease(spec, live, dr);
        plan.stages.forEach((s, i) => {
          const again = planRelease(spec, virtualServiceOf(s), dr);
          expect(withoutDetected(again)).toEqual(withoutDetected(plan));
          expect(again.detected).toBe(i);
        });
        expect(planRelease(spec, virtualServiceOf(plan.promoted), dr).detected).toBe('promoted');
        expect(planRelease(spec, virtualServiceOf(plan.rollback), dr).detected).toBe('rollback');
        expect(withoutDetected(planRelease(spec, virtualServiceOf(plan.rollback), dr))).toEqual(withoutDetected(plan));
      }),
      runs,
    );
  }, SLOW);

  it('rollback sends all of every owned route\'s traffic to stable, canary weight 0, and keeps the routes\' other fields', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndices }: Scenario) => {
        const { rollback } = planRelease(spec, live, dr);
        const { owned, ruleCount } = split(virtualServiceOf(rollback), ownedIndices);
        expect(ruleCount).toBe(0);
        owned.forEach((route, k) => {
          expect(route.route!.map((d) => [d.destination.subset, d.weight])).toEqual([['version-v1', 100], ['version-v2', 0]]);
          expect(route.mirror).toBeUndefined();
          const { route: _r, ...ownedRest } = route;
          const { route: _lr, ...liveOwnedRest } = live.spec.http![ownedIndices[k]!]!;
          expect(ownedRest).toEqual(liveOwnedRest);
        });
        expect(rollback.traffic).toEqual({ canaryWeight: 0, mirrorPercentage: 0, headerRule: false });
      }),
      runs,
    );
  }, SLOW);

  it('a header rule sits directly before every owned route exactly in the stages whose traffic says so', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndices }: Scenario) => {
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          const { rules, ruleCount } = split(virtualServiceOf(s), ownedIndices);
          expect(ruleCount).toBe(s.traffic.headerRule ? ownedIndices.length : 0);
          for (const rule of rules) {
            expect(rule !== undefined).toBe(s.traffic.headerRule);
            if (rule) expect(rule.route!.map((d) => d.destination.subset)).toEqual(['version-v2']);
          }
        }
      }),
      runs,
    );
  }, SLOW);

  it('routing requests: the cohort reaches the canary through every owned route, and everyone else gets the stage\'s weights', () => {
    const candidates = ['/abc', 'abc', 'a', '123', 'v1', 'v2', 'internal'];
    const services = [
      { namespace: 'istioinaction', name: 'catalog', versions: ['v1', 'v2'] },
      { namespace: 'istioinaction', name: 'reviews', versions: ['v1'] },
      { namespace: 'default', name: 'ratings', versions: ['v1'] },
    ];
    // Mesh traffic: the routes' http rules are the same whichever gateway the VirtualService is bound to.
    const table = (vs: VirtualService) => {
      const { gateways: _g, ...spec } = vs.spec;
      return simulatorTable(services, { virtualServices: [{ ...vs, spec }], destinationRules: [] });
    };
    const route = (vs: VirtualService, block: Record<string, unknown>, extra: Record<string, string>) => {
      const headers: Record<string, string> = {};
      for (const [name, m] of Object.entries((block.headers ?? {}) as Record<string, object>)) headers[name] = satisfying(m, candidates) ?? 'unmatched';
      const uri = block.uri ? (satisfying(block.uri as object, candidates.filter((c) => c.startsWith('/'))) ?? '/unmatched') : '/items';
      return chooseRoute(table(vs), { host: 'catalog.istioinaction.svc.cluster.local', uri, method: 'GET', headers: { ...headers, ...extra }, authority: 'catalog.istioinaction.svc.cluster.local', sourceNamespace: 'istioinaction', gateway: 'mesh' });
    };
    let checked = 0;
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }: Scenario) => {
        const plan = planRelease(spec, live, dr);
        const dark = spec.stages.find((s) => s.kind === 'darkLaunch');
        const cohort: Record<string, string> = {};
        for (const [name, m] of Object.entries(dark?.kind === 'darkLaunch' ? dark.headers : {})) {
          const value = satisfying(m, candidates);
          if (value === undefined) return;
          cohort[name] = value;
        }
        const baseline = virtualServiceOf(plan.baseline);
        for (const [k, liveIndex] of plan.routes!.owned.entries()) {
          const baseIndex = liveIndex; // the input has no header rules: live and baseline indices agree
          for (const block of baseline.spec.http![baseIndex]!.match ?? [{}]) {
            const before = route(baseline, block, {});
            // Requests an earlier route takes (overlapping regexes...) never reached the owned route.
            if (before.kind !== 'route' || before.rule !== baseIndex) continue;
            for (const s of plan.stages) {
              const rulesBefore = s.traffic.headerRule ? k + 1 : 0;
              const plain = route(virtualServiceOf(s), block, {});
              expect(plain.kind === 'route' && plain.rule).toBe(baseIndex + rulesBefore);
              const canaryShare = plain.kind === 'route' ? plain.clusters.filter((c) => c.subset === 'version-v2').reduce((a, c) => a + c.weight, 0) / plain.clusters.reduce((a, c) => a + c.weight, 0) : -1;
              expect(Math.round(canaryShare * 100)).toBe(s.traffic.canaryWeight);
              if (!s.traffic.headerRule) continue;
              const withCohort = route(virtualServiceOf(s), block, cohort);
              expect(withCohort.kind === 'route' && withCohort.clusters.map((c) => c.subset)).toEqual(['version-v2']);
              checked++;
            }
          }
        }
      }),
      runs,
    );
    expect(checked).toBeGreaterThan(0);
  }, SLOW);
});
