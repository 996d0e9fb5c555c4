// Reading a VirtualService that already carries this release back into the right stage.
import { describe, expect, it } from 'vitest';
import type { HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { withHeaderRuleMark } from '../../../src/istio/header-rule.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, seedDestinationRule, seedVirtualService, stage, writesOf } from './helpers.ts';
import { virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

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
});
