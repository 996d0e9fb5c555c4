// The HTTPRoute backend behind the generic planner: one object per stage (the HTTPRoute, which also
// carries the state), the dark launch, mirror and weights on the owned rule, promotion to the canary
// Service, rollback to the route as it was, and what the live route says about where a release is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { backendFor } from '../../../src/routing/registry.ts';
import { planWith } from '../../../src/routing/plan.ts';
import { httpRouteBackend } from '../../../src/routing/http-route/backend.ts';
import type { HTTPRoute } from '../../../src/routing/http-route/types.ts';
import { stageObjects } from '../../../src/plan/types.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples', 'gateway-api');
const spec = parseCanarySpecs(readFileSync(join(dir, 'canary.yaml'), 'utf8'), 'canary.yaml')[0]!;
const live = parse(readFileSync(join(dir, 'httproute.yaml'), 'utf8')) as HTTPRoute;

const routeOf = (stage: Parameters<typeof stageObjects>[0]) => {
  const objects = stageObjects(stage);
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['HTTPRoute/catalog']);
  return objects[0] as unknown as HTTPRoute;
};

describe('the HTTPRoute backend', () => {
  it('is the one registered for routing httpRoute, with the HTTPRoute as the state object', () => {
    expect(backendFor(spec).name).toBe('HTTPRoute');
    expect(httpRouteBackend.stateObject(spec)).toEqual({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'gamma', name: 'catalog' });
    expect(httpRouteBackend.reads(spec).map((r) => r.ref.kind)).toEqual(['HTTPRoute']);
  });

  it('plans every stage, promotion and rollback as one write of the route', () => {
    const plan = planWith(httpRouteBackend, spec, [live as never]);
    expect(plan.stages.map((s) => s.id)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100']);
    const dark = routeOf(plan.stages[0]!);
    expect(dark.spec.rules!.map((r) => r.name)).toEqual(['health', 'catalog-dark-launch', 'main']);
    const mirror = routeOf(plan.stages[1]!).spec.rules!.find((r) => r.name === 'main')!;
    expect(mirror.filters!.at(-1)).toEqual({ type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v2', port: 80 }, percent: 50 } });
    const ten = routeOf(plan.stages[2]!).spec.rules!.find((r) => r.name === 'main')!;
    expect(ten.backendRefs).toEqual([{ name: 'catalog-v1', port: 80, weight: 90 }, { name: 'catalog-v2', port: 80, weight: 10 }]);
    expect(routeOf(plan.promoted).spec.rules!.map((r) => r.name)).toEqual(['health', 'main']);
    expect(routeOf(plan.promoted).spec.rules![1]!.backendRefs).toEqual([{ name: 'catalog-v2', port: 80, weight: 1 }]);
    expect(routeOf(plan.rollback).spec.rules).toEqual(live.spec.rules!.map((r) => (r.name === 'main' ? { ...r, backendRefs: [{ name: 'catalog-v1', port: 80, weight: 1 }] } : r)));
    expect(plan.detected).toBeUndefined();
  });

  it('detects the stage a live route is at from the routing itself', () => {
    const plan = planWith(httpRouteBackend, spec, [live as never]);
    const atTen = routeOf(plan.stages[2]!);
    const again = planWith(httpRouteBackend, spec, [atTen as never]);
    expect(again.detected).toBe(2);
    expect(again.liveTraffic).toMatchObject({ canaryWeight: 10, headerRule: true, mirrorPercentage: 0 });
  });

  it('refuses a live object that is not the spec\'s HTTPRoute', () => {
    expect(() => planWith(httpRouteBackend, spec, [{ ...live, metadata: { ...live.metadata, name: 'other' } } as never])).toThrow("expected the HTTPRoute 'catalog' named in the spec");
    expect(() => planWith(httpRouteBackend, spec, [{ ...live, kind: 'VirtualService' } as never])).toThrow('expected kind HTTPRoute');
  });
});
