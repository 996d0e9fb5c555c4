// The simulator routes HTTPRoutes on ports other than 80 and through a Gateway's listeners:
// a Service parentRef with a port applies to that port only; a backendRef on a port the Service
// has reaches it, on one it lacks finds no cluster (503 NC); load sent via a Gateway on a listener
// port is routed by the routes that listener takes (sectionName), and a backend in another
// namespace without a ReferenceGrant gets no traffic (pilot's UnknownService cluster, 503 NC).

import { describe, expect, it } from 'vitest';
import type { HTTPRoute, ParentRef, RouteRule } from '../../../src/routing/http-route/types.ts';
import type { KubeGateway, ReferenceGrant } from '../../sim/gateway-api.ts';
import { Simulator } from '../../sim/simulator.ts';
import { parseWorldText } from '../../sim/world-parse.ts';

const NS = 'shop';
const PORTS = [{ name: 'http', port: 8080, targetPort: 9080 }, { port: 80 }];

function world(load: Record<string, unknown>) {
  const version = (name: string) => ({ name: 'v1', labels: { app: name, version: 'v1' }, workload: name });
  return parseWorldText(
    'fixture.json',
    JSON.stringify({
      gateways: [{ id: `${NS}/edge`, workload: 'edge-istio', workloadNamespace: NS }],
      services: [
        { namespace: NS, name: 'catalog', ports: PORTS, versions: [version('catalog')], load: { from: 'web/webapp', uri: '/items', ...load } },
        { namespace: NS, name: 'catalog-v1', ports: PORTS, versions: [version('catalog-v1')] },
        { namespace: 'team', name: 'catalog-v2', ports: PORTS, versions: [version('catalog-v2')] },
      ],
    }),
  );
}

function route(parentRef: ParentRef, rules: RouteRule[]): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'catalog', namespace: NS }, spec: { parentRefs: [parentRef], rules } };
}

const toV1 = (port: number): RouteRule => ({ backendRefs: [{ name: 'catalog-v1', port }] });

const EDGE: KubeGateway = {
  metadata: { name: 'edge', namespace: NS },
  spec: {
    gatewayClassName: 'istio',
    listeners: [
      { name: 'web', port: 8443, protocol: 'HTTP' },
      { name: 'other', port: 9090, protocol: 'HTTP' },
    ],
  },
};

const GRANT: ReferenceGrant = {
  metadata: { name: 'shop-routes', namespace: 'team' },
  spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: NS }], to: [{ group: '', kind: 'Service' }] },
};

function send(load: Record<string, unknown>, routes: HTTPRoute[], extra: { grants?: ReferenceGrant[] } = {}, n = 10) {
  const sim = new Simulator(world(load), 3);
  sim.setConfig({ virtualServices: [], destinationRules: [], serviceEntries: [], httpRoutes: routes, kubeGateways: [EDGE], referenceGrants: extra.grants ?? [] });
  const catalog = sim.service(NS, 'catalog')!;
  sim.send(catalog, n);
  const stats = sim.statsFor(`${NS}/catalog`);
  const live = (key: string) => stats.versions[key]?.live ?? 0;
  return { v1: live('shop/catalog-v1:v1'), v2: live('team/catalog-v2:v1'), catalog: live('v1'), local: stats.local };
}

describe('HTTPRoute ports in the simulator', () => {


  it('a Service parentRef with a port routes requests to that port only; others take the Service itself', () => {
    const r = route({ group: '', kind: 'Service', name: 'catalog', port: 8080 }, [toV1(8080)]);
    expect(send({ port: 8080 }, [r])).toMatchObject({ v1: 10, catalog: 0 });
    const other = send({ port: 80 }, [r]);
    expect(other, JSON.stringify(other)).toMatchObject({ v1: 0, catalog: 10 });
  });

  it('sectionName on a Service parent is not read by Istio: the route applies on every port', () => {
    const r = route({ group: '', kind: 'Service', name: 'catalog', sectionName: 'no-such-port' }, [toV1(80)]);
    expect(send({ port: 8080 }, [r])).toMatchObject({ v1: 10 });
  });

  it('a backendRef on a port the Service lacks finds no cluster: 503 NC', () => {
    const r = route({ group: '', kind: 'Service', name: 'catalog' }, [toV1(9999)]);
    expect(send({ port: 8080 }, [r])).toMatchObject({ v1: 0, local: { '503 NC': 10 } });
  });
});

describe('HTTPRoute on a Gateway listener in the simulator', () => {
  const via = (port: number) => ({ via: { gateway: `${NS}/edge`, host: 'catalog.example.com', port } });
  const toEdge = (sectionName: string): ParentRef => ({ name: 'edge', sectionName });
  const crossNamespace: RouteRule[] = [{ backendRefs: [{ name: 'catalog-v1', port: 8080, weight: 50 }, { name: 'catalog-v2', namespace: 'team', port: 8080, weight: 50 }] }];

  it('the listener the route names (sectionName) takes requests on its port; another listener answers 404', () => {
    const r = route(toEdge('web'), [toV1(8080)]);
    expect(send(via(8443), [r])).toMatchObject({ v1: 10 });
    expect(send(via(9090), [r])).toMatchObject({ v1: 0, local: { '404 NR': 10 } });
  });

  it('a backend in another namespace without a ReferenceGrant gets no traffic (503 NC); with one it gets its share', () => {
    const r = route(toEdge('web'), crossNamespace);
    const without = send(via(8443), [r], {}, 400);
    expect(without.v2).toBe(0);
    expect(without.local['503 NC']! + without.v1).toBe(400);
    expect(without.local['503 NC']).toBeGreaterThan(0);
    const granted = send(via(8443), [r], { grants: [GRANT] }, 400);
    expect(granted.v1 + granted.v2).toBe(400);
    expect(granted.v2).toBeGreaterThan(0);
  });

  it('routes on one listener with different hostnames are separate VirtualServices, tried in pilot\'s order (the older first), not merged by precedence', () => {
    const withHost = (hostnames: string[] | undefined, name: string, created: string, rules: RouteRule[]): HTTPRoute => ({
      ...route({ name: 'edge', sectionName: 'named' }, rules),
      metadata: { name, namespace: NS, creationTimestamp: created },
      spec: { parentRefs: [{ name: 'edge', sectionName: 'named' }], ...(hostnames ? { hostnames } : {}), rules },
    });
    // The newer route for `*` catches everything and its VirtualService's generated name sorts first;
    // pilot still tries the older route's VirtualService first (creation time comes before the name).
    const older = withHost(['catalog.example.com'], 'catalog', '2026-01-01T00:00:00Z', [{ matches: [{ path: { type: 'PathPrefix', value: '/items' } }], ...toV1(8080) }]);
    const newer = withHost(undefined, 'any-host', '2026-02-01T00:00:00Z', [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'catalog-v2', namespace: 'team', port: 8080 }] },
    ]);
    const sim = new Simulator(world(via(8443)), 3);
    const named: KubeGateway = { ...EDGE, spec: { ...EDGE.spec, listeners: [{ name: 'named', port: 8443, protocol: 'HTTP', hostname: 'catalog.example.com' }] } };
    sim.setConfig({ virtualServices: [], destinationRules: [], serviceEntries: [], httpRoutes: [older, newer], kubeGateways: [named], referenceGrants: [GRANT] });
    sim.send(sim.service(NS, 'catalog')!, 10);
    const versions = sim.statsFor(`${NS}/catalog`).versions;
    expect([versions['shop/catalog-v1:v1']?.live, versions['team/catalog-v2:v1']?.live ?? 0]).toEqual([10, 0]);
  });
});
