// What the HTTPRoute planner relies on about routes of other namespaces (src/routing/http-route/
// siblings.ts), checked with Istio's own conversion and pilot's routes:
// - GAMMA: a consumer route in namespace `web` for the Service shop/catalog replaces the producer
//   route (ours) for clients in `web` — their cohort requests never reach the canary — while clients
//   of other namespaces still follow ours. The planner says so for `web`, and does not refuse.
// - Gateway: a route of another namespace attached to the same Gateway (its listener admits routes
//   from All namespaces) ranks with ours: with a match between the dark-launch match and the owned
//   match, a dark launch blind to it would hand that route's cohort requests to the canary, so the
//   planner, given that route, refuses. With allowedRoutes Same the route is not attached.
// The simulator must agree with pilot on every request too (except allowedRoutes, which it does not model).
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { applyStage, stripCanary, type HttpRouteCanary } from '../../src/routing/http-route/traffic.ts';
import { competitionByParent, competitionNotes } from '../../src/routing/http-route/siblings.ts';
import type { HTTPRoute, RouteRule } from '../../src/routing/http-route/types.ts';
import { oracleDecision, simulatorDecision, simulatorTable, type Normalized, type OracleAnswer } from './agreement.ts';
import { CATALOG_HOST, GATEWAY, GATEWAY_OBJECTS, NS, ROUTE_SERVICES, route } from './http-route-cases.ts';
import type { ProbeRequest } from './probe-requests.ts';
import { routeOracleForFile } from './route-oracle-for-file.ts';
import type { KubeGateway } from '../sim/gateway-api.ts';

const oracle = routeOracleForFile();

const canary: HttpRouteCanary = { canaryName: 'catalog', rule: 'main', services: { namespace: NS, stable: 'catalog-v1', canary: 'catalog-v2' } };
const COHORT = { 'x-canary': 'internal' };
const MAIN: RouteRule = { name: 'main', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'catalog-v1', port: 80 }] };
const WORLD = [...ROUTE_SERVICES, { namespace: 'team', name: 'tenant-gold', versions: ['v1'] }];
const services = [...WORLD.map((s) => ({ name: s.name, namespace: s.namespace })), { name: GATEWAY.service, namespace: NS }];

/** The dark-launch stage of our route, as the planner writes it when it sees only `siblings`. */
function darkLaunch(live: HTTPRoute, siblings: HTTPRoute[] = [], parent?: string): HTTPRoute {
  return applyStage(stripCanary(live, canary), canary, { headers: { 'x-canary': { exact: 'internal' } }, mirrorPercentage: 0, canaryWeight: 0 }, siblings, parent).route;
}

/** Pilot's and the simulator's decision for each request, for a sidecar in `clientNamespace` or via the Gateway. */
async function decisions(objects: object[], routes: HTTPRoute[], requests: ProbeRequest[], via: { clientNamespace: string } | { gateway: true }): Promise<Normalized[]> {
  const gateway = 'gateway' in via;
  const answer = await oracle.ask<OracleAnswer>({
    config: '',
    gatewayApi: [...objects, ...routes].map((o) => JSON.stringify(o)).join('\n---\n'),
    services,
    proxy: gateway ? { namespace: NS, gatewayService: GATEWAY.service } : { namespace: via.clientNamespace },
    requests: requests.map((r) => ({ host: r.host, port: 80, path: r.path, method: r.method, headers: r.headers, ...(gateway ? { routeName: 'http.80' } : {}) })),
  });
  if (answer.error) throw new Error(`oracle: ${answer.error}`);
  const kubeGateways = objects.filter((o): o is KubeGateway => (o as { kind?: string }).kind === 'Gateway');
  const table = simulatorTable(WORLD, { virtualServices: [], destinationRules: [], httpRoutes: routes, kubeGateways, referenceGrants: [] });
  return requests.map((request, i) => {
    const pilot = oracleDecision(answer, i);
    const simulator = simulatorDecision(table, request, gateway ? NS : via.clientNamespace, gateway ? GATEWAY.id : 'mesh');
    expect(simulator, `simulator vs pilot for ${JSON.stringify(request)}`).toEqual(pilot);
    return pilot;
  });
}

const to = (d: Normalized) => (d.kind === 'route' ? d.clusters.map((c) => c.cluster.split('|').at(-1)) : [d.kind]);

describe('routes of other namespaces, as Istio routes them', () => {
  it('GAMMA: a consumer route in web takes web\'s clients, cohort included, off our route; other namespaces still follow ours', async () => {
    const ours = route('catalog', NS, '2026-01-01T00:00:00Z', [structuredClone(MAIN)]);
    const consumer: HTTPRoute = {
      ...route('catalog-web', 'web', '2026-01-02T00:00:00Z', [{ backendRefs: [{ name: 'catalog-v1', namespace: NS, port: 80 }] }]),
    };
    // What the planner says, and that it does not refuse: the consumer route is no competitor of ours.
    const competition = competitionByParent(ours, [consumer]);
    expect(competition[0]!.siblings).toEqual([]);
    expect(competitionNotes(competition)).toEqual([expect.stringContaining('clients in namespace web follow HTTPRoute web/catalog-web')]);
    const stage = darkLaunch(ours, competition[0]!.siblings);
    const requests: ProbeRequest[] = [
      { host: CATALOG_HOST, path: '/items', method: 'GET', headers: COHORT },
      { host: CATALOG_HOST, path: '/items', method: 'GET', headers: {} },
    ];
    const fromWeb = await decisions([], [stage, consumer], requests, { clientNamespace: 'web' });
    expect(fromWeb.map(to)).toEqual([['catalog-v1.shop.svc.cluster.local'], ['catalog-v1.shop.svc.cluster.local']]);
    for (const clientNamespace of ['shop', 'billing']) {
      const other = await decisions([], [stage, consumer], requests, { clientNamespace });
      expect(other.map(to), clientNamespace).toEqual([['catalog-v2.shop.svc.cluster.local'], ['catalog-v1.shop.svc.cluster.local']]);
    }
  }, 120_000);

  it.each([
    ['All', 'attaches'],
    ['Same', 'does not attach'],
  ] as const)('Gateway with allowedRoutes %s: a route of another namespace %s, and the planner must see it', async (from, attaches) => {
    const attached = attaches === 'attaches';
    const gatewayObjects = structuredClone(GATEWAY_OBJECTS) as Array<{ kind: string; spec: { listeners?: Array<{ allowedRoutes: { namespaces: { from: string } } }> } }>;
    gatewayObjects.find((o) => o.kind === 'Gateway')!.spec.listeners![0]!.allowedRoutes.namespaces.from = from;
    const onGateway = (r: HTTPRoute): HTTPRoute => ({ ...r, spec: { ...r.spec, parentRefs: [{ name: 'catalog-gateway', namespace: NS }], hostnames: [GATEWAY.host] } });
    const ours = onGateway(route('catalog', NS, '2026-01-01T00:00:00Z', [structuredClone(MAIN)]));
    // Newer than ours, same path, one header like the dark-launch match: it ranks between the two.
    const team = onGateway(route('tenant-gold', 'team', '2026-01-02T00:00:00Z', [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'tenant-gold', port: 80 }] }]));
    // The planner, given the team's route, refuses the dark launch and names it.
    const competition = competitionByParent(ours, [team]);
    expect(competition[0]!.siblings).toEqual([team]);
    expect(() => darkLaunch(ours, competition[0]!.siblings, competition[0]!.parent)).toThrow(InputError);
    expect(() => darkLaunch(ours, competition[0]!.siblings, competition[0]!.parent)).toThrow(/HTTPRoute team\/tenant-gold spec\.rules\[0\]\.matches\[0\] ranks between/);
    // What a planner blind to other namespaces would write, against the routes before the release.
    const blind = darkLaunch(ours);
    const requests: ProbeRequest[] = [
      { host: GATEWAY.host, path: '/items', method: 'GET', headers: { ...COHORT, 'x-tenant': 'gold' } },
      { host: GATEWAY.host, path: '/items', method: 'GET', headers: { 'x-tenant': 'gold' } },
      { host: GATEWAY.host, path: '/items', method: 'GET', headers: COHORT },
    ];
    // The simulator models the Gateway's listeners and allowedRoutes: compared with pilot in both cases.
    const before = await decisions(gatewayObjects, [ours, team], requests, { gateway: true });
    const after = await decisions(gatewayObjects, [blind, team], requests, { gateway: true });
    const gold = 'tenant-gold.team.svc.cluster.local';
    const v1 = 'catalog-v1.shop.svc.cluster.local';
    const v2 = 'catalog-v2.shop.svc.cluster.local';
    if (attached) {
      // The team's cohort requests went to its route; the blind dark launch hands them to our canary.
      expect(before.map(to)).toEqual([[gold], [gold], [v1]]);
      expect(after.map(to)).toEqual([[v2], [gold], [v2]]);
    } else {
      expect(before.map(to)).toEqual([[v1], [v1], [v1]]);
      expect(after.map(to)).toEqual([[v2], [v1], [v2]]);
    }
  }, 120_000);
});
