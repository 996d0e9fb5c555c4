// The route status the simulator writes as Istio's Gateway API controller does for a Gateway's
// listeners (port, sectionName, hostnames, allowedRoutes namespaces and kinds), and ResolvedRefs
// for backends in other namespaces (ReferenceGrant on a Gateway; no grant needed for the mesh).
// Reasons and messages as pilot/pkg/config/kube/gateway writes them at the pinned Istio version
// (test/oracle/http-route-agreement.test.ts compares the whole status with Istio's on generated cases).

import { describe, expect, it } from 'vitest';
import type { HTTPRoute, ParentRef, RouteRule } from '../../../src/routing/http-route/types.ts';
import type { KubeGateway, Listener, ReferenceGrant } from '../../sim/gateway-api.ts';
import { routeStatus, type StatusInputs } from '../../sim/route-status.ts';
import { parseWorldText } from '../../sim/world-parse.ts';

const NS = 'shop';
const now = '2026-11-30T06:00:00Z';

const world = parseWorldText(
  'fixture.json',
  JSON.stringify({
    services: [
      { namespace: NS, name: 'catalog', versions: [] },
      { namespace: NS, name: 'catalog-v1', versions: [], ports: [{ port: 8080 }] },
      { namespace: 'team', name: 'catalog-v2', versions: [], ports: [{ port: 8080 }] },
    ],
  }),
);

function gateway(listeners: Listener[], className = 'istio'): KubeGateway {
  return { metadata: { name: 'edge', namespace: NS }, spec: { gatewayClassName: className, listeners } };
}

const web: Listener = { name: 'web', port: 8080, protocol: 'HTTP' };
const admin: Listener = { name: 'admin', port: 9090, protocol: 'HTTP', hostname: 'admin.example.com' };

function route(parentRef: ParentRef, rules: RouteRule[] = [{ backendRefs: [{ name: 'catalog-v1', port: 8080 }] }], namespace = NS, hostnames?: string[]): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'catalog', namespace, generation: 2 },
    spec: { parentRefs: [parentRef], ...(hostnames ? { hostnames } : {}), rules },
  };
}

function conditions(r: HTTPRoute, inputs: Partial<StatusInputs>) {
  const parents = routeStatus(r, { world, ...inputs }, now);
  return parents.map((p) => Object.fromEntries((p.conditions ?? []).map((c) => [c.type, { status: c.status, reason: c.reason, message: c.message }])));
}

const toEdge = (extra: Partial<ParentRef> = {}): ParentRef => ({ name: 'edge', namespace: NS, ...extra });

describe('route status on a Gateway parent', () => {
  it('a sectionName binds the route to that listener only', () => {
    const [status] = conditions(route(toEdge({ sectionName: 'web' })), { gateways: [gateway([web, admin])] });
    expect(status!.Accepted).toEqual({ status: 'True', reason: 'Accepted', message: 'Route was valid' });
  });

  it('without sectionName every listener that takes the route counts ("bound to N parents")', () => {
    const [status] = conditions(route(toEdge(), undefined, NS, ['admin.example.com']), { gateways: [gateway([web, admin])] });
    expect(status!.Accepted).toEqual({ status: 'True', reason: 'Accepted', message: 'Route was valid, bound to 2 parents' });
  });

  it('a sectionName or port no listener has is NoMatchingParent, the messages of every listener joined', () => {
    expect(conditions(route(toEdge({ sectionName: 'nope' })), { gateways: [gateway([web, admin])] })[0]!.Accepted).toEqual({
      status: 'False',
      reason: 'NoMatchingParent',
      message: 'sectionName "nope" not found; sectionName "nope" not found',
    });
    expect(conditions(route(toEdge({ port: 7070 })), { gateways: [gateway([web])] })[0]!.Accepted).toEqual({ status: 'False', reason: 'NoMatchingParent', message: 'port 7070 not found' });
  });

  it('a route from a namespace the listener does not admit is NotAllowedByListeners (allowedRoutes from Same by default)', () => {
    const [status] = conditions(route(toEdge({ sectionName: 'web' }), undefined, 'web'), { gateways: [gateway([web])] });
    expect(status!.Accepted).toEqual({
      status: 'False',
      reason: 'NotAllowedByListeners',
      message: 'hostnames matched parent hostname "", but namespace "web" is not allowed by the parent',
    });
    const all = { ...web, allowedRoutes: { namespaces: { from: 'All' } } };
    expect(conditions(route(toEdge({ sectionName: 'web' }), undefined, 'web'), { gateways: [gateway([all])] })[0]!.Accepted!.status).toBe('True');
  });

  it('a listener whose allowedRoutes kinds leave out HTTPRoute refuses it', () => {
    const grpcOnly = { ...web, allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } };
    expect(conditions(route(toEdge()), { gateways: [gateway([grpcOnly])] })[0]!.Accepted).toEqual({
      status: 'False',
      reason: 'NotAllowedByListeners',
      message: 'kind gateway.networking.k8s.io/v1/HTTPRoute is not allowed',
    });
  });

  it('hostnames no listener admits are NoMatchingListenerHostname; the least severe reason across listeners is reported', () => {
    expect(conditions(route(toEdge({ sectionName: 'admin' }), undefined, NS, ['shop.example.com']), { gateways: [gateway([web, admin])] })[0]!.Accepted).toEqual({
      status: 'False',
      reason: 'NoMatchingListenerHostname',
      message: 'no hostnames matched parent hostname "admin.example.com"',
    });
    // web: NotAllowedByListeners (namespace); admin: NoMatchingListenerHostname: the former is reported.
    const [status] = conditions(route(toEdge(), undefined, 'web', ['shop.example.com']), { gateways: [gateway([web, admin])] });
    expect(status!.Accepted).toMatchObject({ status: 'False', reason: 'NotAllowedByListeners' });
  });

  it('a Gateway that is not there or not of class istio gets no entry (another controller may own it)', () => {
    expect(conditions(route(toEdge()), { gateways: [] })).toEqual([]);
    expect(conditions(route(toEdge()), { gateways: [gateway([web], 'other')] })).toEqual([]);
  });
});

describe('ResolvedRefs for backends in another namespace', () => {
  const crossNamespace: RouteRule[] = [{ backendRefs: [{ name: 'catalog-v2', namespace: 'team', port: 8080 }] }];
  const grant = (name?: string, from = NS): ReferenceGrant => ({
    metadata: { name: 'g', namespace: 'team' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: from }], to: [{ group: '', kind: 'Service', ...(name ? { name } : {}) }] },
  });

  it('on a Gateway without a ReferenceGrant: RefNotPermitted with Istio\'s message, the route still Accepted', () => {
    const [status] = conditions(route(toEdge({ sectionName: 'web' }), crossNamespace), { gateways: [gateway([web])] });
    expect(status!.Accepted!.status).toBe('True');
    expect(status!.ResolvedRefs).toEqual({
      status: 'False',
      reason: 'RefNotPermitted',
      message: 'backendRef catalog-v2/team not accessible to a HTTPRoute in namespace "shop" (missing a ReferenceGrant?)',
    });
  });

  it('a grant for the route\'s namespace (every Service, or this one by name) resolves it; one for another name or namespace does not', () => {
    const ok = (grants: ReferenceGrant[]) => conditions(route(toEdge({ sectionName: 'web' }), crossNamespace), { gateways: [gateway([web])], referenceGrants: grants })[0]!.ResolvedRefs!.status;
    expect(ok([grant()])).toBe('True');
    expect(ok([grant('catalog-v2')])).toBe('True');
    expect(ok([grant('catalog-v1')])).toBe('False');
    expect(ok([grant(undefined, 'web')])).toBe('False');
  });

  it('Istio checks no grant for a mesh (Service) parent', () => {
    const [status] = conditions(route({ group: '', kind: 'Service', name: 'catalog', port: 80 }, crossNamespace), {});
    expect(status!.ResolvedRefs).toEqual({ status: 'True', reason: 'ResolvedRefs', message: 'All references resolved' });
  });

  it('the last rule with a problem decides; a weight-0 backend is not looked at', () => {
    const rules: RouteRule[] = [
      { backendRefs: [{ name: 'ghost', port: 80 }] },
      { backendRefs: [{ name: 'catalog-v1', port: 8080 }, { name: 'phantom', port: 80, weight: 0 }] },
      { backendRefs: [{ name: 'catalog-v2', namespace: 'team', port: 8080 }] },
    ];
    const [status] = conditions(route(toEdge({ sectionName: 'web' }), rules), { gateways: [gateway([web])] });
    expect(status!.ResolvedRefs).toMatchObject({ reason: 'RefNotPermitted' });
    const [mesh] = conditions(route({ group: '', kind: 'Service', name: 'catalog' }, rules), {});
    expect(mesh!.ResolvedRefs).toEqual({ status: 'False', reason: 'BackendNotFound', message: 'backend(ghost.shop.svc.cluster.local) not found' });
  });
});
