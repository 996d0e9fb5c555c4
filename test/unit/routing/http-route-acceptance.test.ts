// An HTTPRoute write is in effect when Istio's controller accepts the current generation for every
// parent; a False condition of the current generation is a refusal with the controller's message.
import { describe, expect, it } from 'vitest';
import { routeAcceptance } from '../../../src/routing/http-route/acceptance.ts';
import type { HTTPRoute, RouteParentStatus } from '../../../src/routing/http-route/types.ts';

const parentRef = { group: '', kind: 'Service', name: 'catalog', port: 80 };

function route(generation: number, parents: RouteParentStatus[]): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'catalog', namespace: 'shop', generation }, spec: { parentRefs: [parentRef], rules: [] }, status: { parents } };
}

const entry = (generation: number, resolved: 'True' | 'False' = 'True', controllerName = 'istio.io/gateway-controller'): RouteParentStatus => ({
  parentRef,
  controllerName,
  conditions: [
    { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid', observedGeneration: generation },
    { type: 'ResolvedRefs', status: resolved, reason: resolved === 'True' ? 'ResolvedRefs' : 'BackendNotFound', message: resolved === 'True' ? 'All references resolved' : 'backend(catalog-v3.shop.svc.cluster.local) not found', observedGeneration: generation },
  ],
});

describe('routeAcceptance', () => {
  it('accepted for the current generation', () => {
    expect(routeAcceptance(route(4, [entry(4)]))).toEqual({ state: 'accepted' });
  });

  it('pending without an entry, with an older generation, or with only another controller', () => {
    expect(routeAcceptance(route(4, []))).toEqual({ state: 'pending', waitingFor: 'Accepted of Service catalog:80 for generation 4' });
    expect(routeAcceptance(route(5, [entry(4)])).state).toBe('pending');
    expect(routeAcceptance(route(4, [entry(4, 'True', 'example.com/other')])).state).toBe('pending');
  });

  it('refused with the condition reason and message for the current generation only', () => {
    expect(routeAcceptance(route(4, [entry(4, 'False')]))).toEqual({
      state: 'refused',
      message: 'Service catalog:80: ResolvedRefs is False (BackendNotFound): backend(catalog-v3.shop.svc.cluster.local) not found',
    });
    expect(routeAcceptance(route(5, [entry(4, 'False')])).state).toBe('pending');
  });

  it('names a Gateway parent by its listener, so two parentRefs to one Gateway are told apart', () => {
    const listenerRef = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'web' };
    const refused: RouteParentStatus = {
      parentRef: listenerRef,
      controllerName: 'istio.io/gateway-controller',
      conditions: [{ type: 'Accepted', status: 'False', reason: 'NoMatchingParent', message: 'sectionName "web" not found', observedGeneration: 2 }],
    };
    const r: HTTPRoute = { ...route(2, [refused]), spec: { parentRefs: [listenerRef], rules: [] } };
    expect(routeAcceptance(r)).toEqual({ state: 'refused', message: 'Gateway edge sectionName web: Accepted is False (NoMatchingParent): sectionName "web" not found' });
    expect(routeAcceptance({ ...r, status: { parents: [] } })).toEqual({ state: 'pending', waitingFor: 'Accepted of Gateway edge sectionName web for generation 2' });
  });

  it('parents Istio does not serve are not waited for; a route with none it serves is unserved, naming why', () => {
    const edge = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' };
    const both: HTTPRoute = { ...route(4, [entry(4)]), spec: { parentRefs: [parentRef, edge], rules: [] } };
    const edgeNotServed = [{ ref: { ...edge }, why: 'Gateway shop/edge does not exist' }];
    expect(routeAcceptance(both).state).toBe('pending');
    expect(routeAcceptance(both, edgeNotServed)).toEqual({ state: 'accepted' });
    const alone: HTTPRoute = { ...route(4, []), spec: { parentRefs: [edge], rules: [] } };
    expect(routeAcceptance(alone, edgeNotServed)).toEqual({
      state: 'unserved',
      message: 'Istio serves none of its parents (Gateway shop/edge does not exist), so it writes no status for the route and routes nothing by it',
    });
  });
});
