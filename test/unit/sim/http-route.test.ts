// The simulator's HTTPRoute support: routing per the Gateway API (precedence across rules and
// routes, weights, RequestMirror percent and fraction, a 500 when every backend weighs 0),
// telemetry behind a waypoint (reporter="waypoint" only; shadows unreported) and the route status
// Istio's controller writes (Accepted / ResolvedRefs for the generation, refusals with Istio's messages).

import { describe, expect, it } from 'vitest';
import type { HTTPRoute, RouteRule } from '../../../src/routing/http-route/types.ts';
import { ISTIO_GATEWAY_CONTROLLER } from '../../../src/routing/http-route/acceptance.ts';
import { routeStatus } from '../../sim/route-status.ts';
import { Simulator } from '../../sim/simulator.ts';
import { parseWorldText } from '../../sim/world-parse.ts';
import type { World } from '../../sim/world.ts';
import { parseExposition, sumWhere } from './exposition.ts';

const NS = 'shop';
const REQ = 'istio_requests_total';

function world(dataPlane: 'sidecar' | 'waypoint'): World {
  const version = (name: string) => ({ name, labels: { app: name, version: 'v1' }, workload: name });
  return parseWorldText(
    'fixture.yaml',
    JSON.stringify({
      services: [
        { namespace: NS, name: 'catalog', dataPlane, versions: [version('catalog')], load: { from: 'web/webapp', uri: '/items' } },
        { namespace: NS, name: 'catalog-v1', versions: [version('catalog-v1')] },
        { namespace: NS, name: 'catalog-v2', versions: [version('catalog-v2')] },
      ],
    }),
  );
}

function route(rules: RouteRule[], meta: Partial<HTTPRoute['metadata']> = {}): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'catalog', namespace: NS, generation: 3, ...meta },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }], rules },
  };
}

function simulate(w: World, routes: HTTPRoute[], headers: Array<{ name: string; value: string; share: number }> = [], n = 100) {
  const sim = new Simulator(w, 7);
  sim.setConfig({ virtualServices: [], destinationRules: [], serviceEntries: [], httpRoutes: routes });
  const catalog = sim.service(NS, 'catalog')!;
  catalog.load.headers = headers;
  sim.send(catalog, n);
  return { samples: parseExposition(sim.telemetry.render()), stats: sim.statsFor(`${NS}/catalog`) };
}

const toV1 = { name: 'catalog-v1', port: 80 };
const toV2 = { name: 'catalog-v2', port: 80 };

describe('HTTPRoute routing in the simulator', () => {
  it('a header match outranks the catch-all wherever it stands in the list', () => {
    const rules: RouteRule[] = [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [toV1] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-cohort', value: 'internal' }] }], backendRefs: [toV2] },
    ];
    const { stats } = simulate(world('sidecar'), [route(rules)], [{ name: 'x-cohort', value: 'internal', share: 1 }], 20);
    expect(stats.versions['shop/catalog-v2:catalog-v2']?.live).toBe(20);
  });

  it('a longer prefix outranks more headers; PathPrefix matches whole path elements', () => {
    const rules: RouteRule[] = [
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-cohort', value: 'internal' }] }], backendRefs: [toV2] },
      { matches: [{ path: { type: 'PathPrefix', value: '/items' } }], backendRefs: [toV1] },
    ];
    const { stats } = simulate(world('sidecar'), [route(rules)], [{ name: 'x-cohort', value: 'internal', share: 1 }], 10);
    expect(stats.versions['shop/catalog-v1:catalog-v1']?.live).toBe(10);
    const prefixOnly: RouteRule[] = [{ matches: [{ path: { type: 'PathPrefix', value: '/item' } }], backendRefs: [toV2] }];
    expect(simulate(world('sidecar'), [route(prefixOnly)], [], 5).stats.local).toEqual({ '404 NR': 5 });
  });

  it('weights split the traffic; all-zero weights answer 500', () => {
    const { stats } = simulate(world('sidecar'), [route([{ backendRefs: [{ ...toV1, weight: 90 }, { ...toV2, weight: 10 }] }])], [], 2000);
    const v2 = stats.versions['shop/catalog-v2:catalog-v2']?.live ?? 0;
    expect(Math.abs(v2 - 200)).toBeLessThan(3.29 * Math.sqrt(2000 * 0.1 * 0.9));
    expect(simulate(world('sidecar'), [route([{ backendRefs: [{ ...toV1, weight: 0 }] }])], [], 3).stats.local).toEqual({ '500 -': 3 });
  });

  it('RequestMirror with a fraction mirrors that share, reported by the canary sidecar', () => {
    const mirror = { type: 'RequestMirror', requestMirror: { backendRef: toV2, fraction: { numerator: 1, denominator: 4 } } };
    const { samples, stats } = simulate(world('sidecar'), [route([{ filters: [mirror], backendRefs: [toV1] }])], [], 4000);
    const mirrored = stats.versions['shop/catalog-v2:catalog-v2']?.mirrored ?? 0;
    expect(Math.abs(mirrored - 1000)).toBeLessThan(3.29 * Math.sqrt(4000 * 0.25 * 0.75));
    expect(sumWhere(samples, REQ, { reporter: 'destination', destination_workload: 'catalog-v2' })).toBe(mirrored);
  });

  it('behind a waypoint only reporter="waypoint" counts requests, and shadows are not reported', () => {
    const mirror = { type: 'RequestMirror', requestMirror: { backendRef: toV2, percent: 100 } };
    const { samples, stats } = simulate(world('waypoint'), [route([{ filters: [mirror], backendRefs: [toV1] }])], [], 30);
    expect(stats.versions['shop/catalog-v2:catalog-v2']?.mirrored).toBe(30);
    expect(sumWhere(samples, REQ, { reporter: 'waypoint', source_workload: 'webapp', destination_workload: 'catalog-v1', response_code: '200' })).toBe(30);
    expect(sumWhere(samples, REQ, { reporter: 'source' }) + sumWhere(samples, REQ, { reporter: 'destination' })).toBe(0);
    expect(sumWhere(samples, REQ, { destination_workload: 'catalog-v2' })).toBe(0);
  });

  it('older routes win ties over newer ones attached to the same Service', () => {
    const older = route([{ backendRefs: [toV1] }], { name: 'z-old', creationTimestamp: '2026-01-01T00:00:00Z' });
    const newer = route([{ backendRefs: [toV2] }], { name: 'a-new', creationTimestamp: '2026-02-01T00:00:00Z' });
    expect(simulate(world('sidecar'), [newer, older], [], 5).stats.versions['shop/catalog-v1:catalog-v1']?.live).toBe(5);
  });
});

describe('HTTPRoute status as Istio writes it', () => {
  const now = '2026-11-30T04:00:00Z';

  it('Accepted and ResolvedRefs true for the current generation, per parent', () => {
    const [parent] = routeStatus(route([{ backendRefs: [toV1, toV2] }]), { world: world('sidecar') }, now);
    expect(parent).toMatchObject({ controllerName: ISTIO_GATEWAY_CONTROLLER, parentRef: { kind: 'Service', name: 'catalog' } });
    expect(parent!.conditions).toEqual([
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid', observedGeneration: 3, lastTransitionTime: now },
      { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved', observedGeneration: 3, lastTransitionTime: now },
    ]);
  });

  it('a missing backend or mirror Service is ResolvedRefs False with the host; a missing parent is not Accepted', () => {
    const mirror = { type: 'RequestMirror', requestMirror: { backendRef: { name: 'catalog-v3', port: 80 }, percent: 5 } };
    const [parent] = routeStatus(route([{ filters: [mirror], backendRefs: [toV1] }]), { world: world('sidecar') }, now);
    expect(parent!.conditions![1]).toMatchObject({ status: 'False', reason: 'BackendNotFound', message: 'backend(catalog-v3.shop.svc.cluster.local) not found' });
    const orphan = route([{ backendRefs: [toV1] }]);
    orphan.spec.parentRefs = [{ group: '', kind: 'Service', name: 'ghost' }];
    expect(routeStatus(orphan, { world: world('sidecar') }, now)[0]!.conditions![0]).toMatchObject({ status: 'False', reason: 'NoMatchingParent', message: 'parent service: "ghost" not found' });
  });

  it("keeps other controllers' entries and an unchanged condition's transition time", () => {
    const r = route([{ backendRefs: [toV1] }]);
    const first = routeStatus(r, { world: world('sidecar') }, now);
    const foreign = { parentRef: { name: 'gw' }, controllerName: 'example.com/other', conditions: [] };
    r.status = { parents: [foreign, ...first] };
    const again = routeStatus(r, { world: world('sidecar') }, '2026-11-30T05:00:00Z');
    expect(again).toEqual([foreign, ...first]);
  });
});
