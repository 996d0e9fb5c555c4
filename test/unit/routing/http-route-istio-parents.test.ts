// Which parents of an HTTPRoute Istio serves, from the Gateways and GatewayClasses as read: Istio's
// controller skips a Gateway that does not exist or whose class is another controller's, and needs no
// GatewayClass object for its built-in classes. What could not be read is waited for.
import { describe, expect, it } from 'vitest';
import { gatewayParents, parentsNotServed, type GatewayFacts } from '../../../src/routing/http-route/istio-parents.ts';
import type { HTTPRoute, ParentRef } from '../../../src/routing/http-route/types.ts';

const service: ParentRef = { group: '', kind: 'Service', name: 'catalog', port: 80 };
const gateway = (name: string, namespace?: string): ParentRef => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name, ...(namespace ? { namespace } : {}) });

function route(parentRefs: ParentRef[]): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'catalog', namespace: 'shop' }, spec: { parentRefs, rules: [] } };
}

const whys = (r: HTTPRoute, facts: Record<string, GatewayFacts>) => parentsNotServed(r, new Map(Object.entries(facts))).map((n) => n.why);

describe('parentsNotServed', () => {
  it('lists each Gateway parent once, in its own or the route namespace; Services are not looked up', () => {
    const r = route([service, gateway('edge'), { ...gateway('edge'), sectionName: 'web' }, gateway('public', 'infra'), { name: 'implicit' }]);
    expect(gatewayParents(r)).toEqual([
      { namespace: 'shop', name: 'edge' },
      { namespace: 'infra', name: 'public' },
      { namespace: 'shop', name: 'implicit' },
    ]);
  });

  it("a Gateway that does not exist, or of another controller's class, or of a class that does not exist, is not served", () => {
    const r = route([service, gateway('gone'), gateway('nginx'), gateway('typo')]);
    expect(
      whys(r, {
        'shop/gone': { gateway: 'missing' },
        'shop/nginx': { gateway: { className: 'nginx' }, gatewayClass: { controller: 'k8s.io/ingress-nginx' } },
        'shop/typo': { gateway: { className: 'istoi' }, gatewayClass: 'missing' },
      }),
    ).toEqual([
      'Gateway shop/gone does not exist',
      'Gateway shop/nginx is of GatewayClass nginx, whose controller k8s.io/ingress-nginx is not one Istio programs routes for',
      'Gateway shop/typo is of GatewayClass istoi, which does not exist',
    ]);
  });

  it("Istio's built-in classes need no GatewayClass object; a class of Istio's routing controllers is served; istio-remote is not programmed here", () => {
    const r = route([gateway('ingress'), gateway('waypoint'), gateway('custom'), gateway('remote')]);
    expect(
      whys(r, {
        'shop/ingress': { gateway: { className: 'istio' }, gatewayClass: 'missing' },
        'shop/waypoint': { gateway: { className: 'istio-waypoint' }, gatewayClass: 'missing' },
        'shop/custom': { gateway: { className: 'mine' }, gatewayClass: { controller: 'istio.io/gateway-controller' } },
        'shop/remote': { gateway: { className: 'istio-remote' }, gatewayClass: 'missing' },
      }),
    ).toEqual(['Gateway shop/remote is of GatewayClass istio-remote, whose controller istio.io/unmanaged-gateway is not one Istio programs routes for']);
  });

  it('what could not be read, or was not looked up, is served (waited for)', () => {
    const r = route([gateway('secret'), gateway('classless'), gateway('unasked')]);
    expect(
      whys(r, {
        'shop/secret': { gateway: 'unreadable' },
        'shop/classless': { gateway: { className: 'other' }, gatewayClass: 'unreadable' },
      }),
    ).toEqual([]);
  });
});
