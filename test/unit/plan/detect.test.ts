// Reading a VirtualService that already carries this release back into the right stage.
import { describe, expect, it } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { withHeaderRuleMark } from '../../../src/istio/header-rule.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule, seedVirtualService, stage, writesOf } from './helpers.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';
import { planText } from '../../../src/plan/render.ts';

const dr = seedDestinationRule();
const dest = (subset: string, weight?: number) => ({ destination: { host: 'catalog', subset }, ...(weight !== undefined ? { weight } : {}) });
const headerRule = (exact: string): HttpRoute => ({ name: 'catalog-dark-launch', match: [{ headers: { 'x-istio-cohort': { exact } } }], route: [dest('version-v2')] });
/** The seed's VirtualService with these routes; a header rule among them as istio-canary writes it (marked). */
function vs(http: HttpRoute[]): VirtualService {
  const v = seedVirtualService('mesh-virtualservice.yaml');
  v.spec.http = http;
  return withHeaderRuleMark(v, 'catalog', http.find((r) => r.name === 'catalog-dark-launch'));
}

describe('detected stage', () => {
  it('no trace of the release: undefined', () => {
    expect(planRelease(canarySpec(), seedVirtualService('mesh-virtualservice.yaml'), dr).detected).toBeUndefined();
  });

  it('weights and header rule from this tool: the matching stage, without doubling the rule', () => {
    const plan = planRelease(canarySpec(), vs([headerRule('internal'), { route: [dest('version-v1', 50), dest('version-v2', 50)] }]), dr);
    expect(plan.detected).toBe(3);
    expect(virtualServiceOf(plan.stages[3]!).spec.http!.filter((r) => r.name === 'catalog-dark-launch')).toHaveLength(1);
    expect(writesOf(plan.stages[3]!)).toEqual([{ kind: 'VirtualService', settleAfter: false }]);
  });

  it('a header rule left after the owned route by hand is moved back before it, not duplicated', () => {
    const plan = planRelease(canarySpec(), vs([{ route: [dest('version-v1')] }, headerRule('internal')]), dr);
    expect(plan.detected).toBe(0);
    expect(virtualServiceOf(plan.stages[0]!).spec.http!.map((r) => r.name)).toEqual(['catalog-dark-launch', undefined]);
  });

  it('rolled back (stable 100, canary 0, nothing else): rollback', () => {
    expect(planRelease(canarySpec(), vs([{ route: [dest('version-v1', 100), dest('version-v2', 0)] }]), dr).detected).toBe('rollback');
  });

  it('promoted (only the canary): promoted', () => {
    expect(planRelease(canarySpec(), vs([{ route: [dest('version-v2')] }]), dr).detected).toBe('promoted');
  });

  it('a weight the (edited) spec does not have: the furthest stage it has reached', () => {
    const spec = canarySpec({ stages: [stage.weight(10), stage.weight(50), stage.weight(100)] });
    expect(planRelease(spec, vs([{ route: [dest('version-v1', 70), dest('version-v2', 30)] }]), dr).detected).toBe(0);
  });

  it('a header rule with other headers than the spec now says is still ours (found by its mark) and replaced', () => {
    const plan = planRelease(canarySpec(), vs([headerRule('beta'), { route: [dest('version-v1')] }]), dr);
    expect(plan.detected).toBe(0);
    expect(virtualServiceOf(plan.stages[0]!).spec.http![0]!.match).toEqual([{ headers: { 'x-istio-cohort': { exact: 'internal' } } }]);
  });

  describe('several owned routes (no `route:`): each is read', () => {
    const api = (route: HttpRoute['route']): HttpRoute => ({ match: [{ uri: { prefix: '/api' } }], route });
    const spec = () => canarySpec({ route: undefined });
    const split = (w: number) => [dest('version-v1', 100 - w), dest('version-v2', w)];

    it('all at the same stage: that stage', () => {
      expect(planRelease(spec(), vs([api(split(10)), { route: split(10) }]), dr).detected).toBe(2);
    });

    it('only the second route split (the first left on stable): mixed, with what each route shows, never the first route\'s stage', () => {
      const plan = planRelease(spec(), vs([api([dest('version-v1')]), { route: split(10) }]), dr);
      expect(plan.detected).toBe('mixed');
      expect(plan.detectedRoutes).toEqual([{ index: 0, detected: undefined }, { index: 1, detected: 2 }]);
      expect(planText(plan, [])).toContain('no one stage: the owned routes disagree (spec.http[0] at all on stable (no trace of the release), spec.http[1] at stage 02-weight-10)');
    });

    it('one route at 10 %, the other at 50 %: mixed', () => {
      const plan = planRelease(spec(), vs([api(split(10)), { route: split(50) }]), dr);
      expect(plan.detectedRoutes).toEqual([{ index: 0, detected: 2 }, { index: 1, detected: 3 }]);
    });

    it('both rolled back: rollback; both promoted: promoted', () => {
      expect(planRelease(spec(), vs([api(split(0)), { route: split(0) }]), dr).detected).toBe('rollback');
      expect(planRelease(spec(), vs([api([dest('version-v2')]), { route: [dest('version-v2')] }]), dr).detected).toBe('promoted');
    });
  });
});
