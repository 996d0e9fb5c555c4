// Properties of the plan over random valid VirtualServices and specs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { istioProblems } from '../../../src/istio/validate.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { Plan, PlannedStage } from '../../../src/plan/types.ts';
import { scenarioArb, type Scenario } from './arbitraries.ts';
import { headerRuleMarkKey } from '../../../src/istio/header-rule.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const HEADER_RULE = 'catalog-dark-launch';
const runs = { numRuns: 100 };
// Each run plans several times on a shared CI core; the default 5 s per test is too tight.
const SLOW = 120_000;

/** The owned route of a produced VirtualService: at the live index once the header rule is taken out. */
function split(vs: VirtualService, ownedIndex: number): { owned: HttpRoute; others: HttpRoute[]; headerRule?: HttpRoute } {
  const http = vs.spec.http!;
  const headerRule = http.find((r) => r.name === HEADER_RULE);
  const rest = http.filter((r) => r !== headerRule);
  return { owned: rest[ownedIndex]!, others: rest.filter((_, i) => i !== ownedIndex), ...(headerRule ? { headerRule } : {}) };
}

const everyOutcome = (plan: Plan): PlannedStage[] => [...plan.stages, plan.promoted, plan.rollback];
const withoutDetected = ({ detected: _d, liveTraffic: _l, ...rest }: Plan) => rest;

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

  it('the owned route has explicit weights summing to 100 whenever it has two destinations, matching the traffic state', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndex }: Scenario) => {
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          const route = split(virtualServiceOf(s), ownedIndex).owned.route!;
          if (route.length > 1) {
            expect(route.reduce((a, d) => a + d.weight!, 0)).toBe(100);
            expect(route.find((d) => d.destination.subset === 'version-v2')!.weight).toBe(s.traffic.canaryWeight);
          } else {
            expect(route[0]!.destination.subset).toBe(s.traffic.canaryWeight === 100 ? 'version-v2' : 'version-v1');
          }
        }
      }),
      runs,
    );
  }, SLOW);

  it('every route the canary does not own, and everything outside http, is as the input had it', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndex }: Scenario) => {
        const liveOthers = live.spec.http!.filter((_, i) => i !== ownedIndex);
        const { http: _h, ...liveRest } = live.spec;
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          expect(split(virtualServiceOf(s), ownedIndex).others).toEqual(liveOthers);
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

  it('rollback sends all of the owned route\'s traffic to stable, canary weight 0, and keeps the route\'s other fields', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr, ownedIndex }: Scenario) => {
        const { rollback } = planRelease(spec, live, dr);
        const { owned, headerRule } = split(virtualServiceOf(rollback), ownedIndex);
        expect(headerRule).toBeUndefined();
        expect(owned.route!.map((d) => [d.destination.subset, d.weight])).toEqual([['version-v1', 100], ['version-v2', 0]]);
        expect(owned.mirror).toBeUndefined();
        const { route: _r, ...ownedRest } = owned;
        const { route: _lr, ...liveOwnedRest } = live.spec.http![ownedIndex]!;
        expect(ownedRest).toEqual(liveOwnedRest);
        expect(rollback.traffic).toEqual({ canaryWeight: 0, mirrorPercentage: 0, headerRule: false });
      }),
      runs,
    );
  }, SLOW);

  it('the header rule sits directly before the owned route exactly in the stages whose traffic says so', () => {
    fc.assert(
      fc.property(scenarioArb, ({ spec, live, dr }: Scenario) => {
        for (const s of everyOutcome(planRelease(spec, live, dr))) {
          const http = virtualServiceOf(s).spec.http!;
          const at = http.findIndex((r) => r.name === HEADER_RULE);
          expect(at >= 0).toBe(s.traffic.headerRule);
          if (at >= 0) expect(http[at]!.route!.map((d) => d.destination.subset)).toEqual(['version-v2']);
        }
      }),
      runs,
    );
  }, SLOW);
});
