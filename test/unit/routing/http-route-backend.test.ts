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
import { MemoryRouting } from '../../../src/engine/memory.ts';
import { readLive } from '../../../src/engine/live.ts';

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

  describe('other HTTPRoutes on the same parent (the precedence proof\'s competitors)', () => {
    // A team's route on the same Service, newer than ours, whose match ranks between the dark-launch
    // match and the owned match (same path, one header: more than the owned match, tied with the
    // dark-launch match and younger): a cohort request that also carries x-tenant would leave it.
    const sibling = (name: string, parent: string) => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name, namespace: 'gamma', creationTimestamp: '2030-01-01T00:00:00Z' },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: parent, port: 80 }],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'tenant-gold', port: 80 }] }],
      },
    });
    const ours = { ...live, metadata: { ...live.metadata, creationTimestamp: '2029-01-01T00:00:00Z' } };

    it('the backend lists the namespace\'s HTTPRoutes, and readLive hands them to the plan', async () => {
      const lists = httpRouteBackend.lists!(spec, [ours as never]);
      expect(lists.map((l) => l.ref)).toEqual([
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', namespace: 'gamma' },
        // Our route is the Service's own (producer): consumer routes of other namespaces take their clients.
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
      ]);
      expect(lists[1]!.ifForbidden).toContain('HTTPRoutes in namespaces other than gamma on Service gamma/catalog');
      const port = new MemoryRouting([ours as never, sibling('team', 'catalog') as never]);
      const read = await readLive(port, spec);
      expect(read.objects.map((o) => o.metadata.name)).toEqual(['catalog', 'team']);
      expect(read.stateObject.metadata.name).toBe('catalog');
      expect(() => planWith(httpRouteBackend, spec, read.objects)).toThrow(/HTTPRoute gamma\/team spec\.rules\[0\]\.matches\[0\] ranks between the dark-launch match and the owned match/);
    });

    it('a route that would steal the cohort is refused only on the parent it shares', () => {
      expect(() => planWith(httpRouteBackend, spec, [ours as never, sibling('team', 'catalog') as never])).toThrow(/HTTPRoute gamma\/team/);
      const elsewhere = planWith(httpRouteBackend, spec, [ours as never, sibling('team', 'inventory') as never]);
      expect(routeOf(elsewhere.stages[0]!).spec.rules!.map((r) => r.name)).toEqual(['health', 'catalog-dark-launch', 'main']);
      // The sibling is read, never written: every stage writes only our route.
      for (const stage of elsewhere.stages) routeOf(stage);
    });
  });

  it("says which other rules send to the stable Service and stay on it; a rule holding it at weight 0, or sending elsewhere, is not named", () => {
    const rules = live.spec.rules!;
    const withRules = (extra: HTTPRoute['spec']['rules']) => ({ ...live, spec: { ...live.spec, rules: [...rules, ...extra!] } }) as HTTPRoute;
    const caveat = (route: HTTPRoute) => (planWith(httpRouteBackend, spec, [route as never]).notes ?? []).filter((n) => n.includes('also send'));
    expect(caveat(live)).toEqual([
      "HTTPRoute gamma/catalog spec.rules[0] (health) also sends to the stable Service 'catalog-v1'; the release shifts only spec.rules[1] (main), so the requests that rule matches stay on 'catalog-v1' at every stage and after promotion",
    ]);
    const api = { matches: [{ path: { type: 'PathPrefix' as const, value: '/api' } }], backendRefs: [{ name: 'catalog-v1', port: 80 }, { name: 'legacy', port: 80 }] };
    const held = { name: 'maintenance', matches: [{ path: { type: 'PathPrefix' as const, value: '/down' } }], backendRefs: [{ name: 'catalog-v1', port: 80, weight: 0 }, { name: 'sorry', port: 80 }] };
    const elsewhere = { name: 'search', matches: [{ path: { type: 'PathPrefix' as const, value: '/search' } }], backendRefs: [{ name: 'search', port: 80 }] };
    expect(caveat(withRules([api, held, elsewhere]))).toEqual([
      "HTTPRoute gamma/catalog spec.rules[0] (health), spec.rules[2] also send to the stable Service 'catalog-v1'; the release shifts only spec.rules[1] (main), so the requests those rules match stay on 'catalog-v1' at every stage and after promotion",
    ]);
  });
});
