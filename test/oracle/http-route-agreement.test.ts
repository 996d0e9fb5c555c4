// The simulator routes HTTPRoutes as Istio does: generated HTTPRoutes attached to a Service
// (GAMMA: producer routes and consumer routes, one or two routes, precedence across their rules,
// weights, RequestMirror percent and fraction, header filters) or to an ingress Gateway (several
// listeners, ports other than 80, sectionName, allowedRoutes, backends in other namespaces with
// and without a ReferenceGrant) are converted by Istio's own Gateway API controller and routed by
// pilot (test/oracle); every probe request must get the same decision from the simulator's
// HTTPRoute router (test/sim/http-route.ts).

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { applyStage, stripCanary, type HttpRouteCanary, type StageTraffic } from '../../src/routing/http-route/traffic.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import { InputError } from '../../src/errors.ts';
import type { KubeGateway, ReferenceGrant } from '../sim/gateway-api.ts';
import { routeStatus } from '../sim/route-status.ts';
import { comparableParents, oracleCase, oracleDecision, oracleRouteStatus, simulatorDecision, simulatorTable, type OracleAnswer, type ServiceSpec } from './agreement.ts';
import type { ProbeRequest } from './probe-requests.ts';
import { GATEWAY, GATEWAY_OBJECTS, NS, ROUTE_SERVICES, httpRouteCase, httpRouteProbes, route, routeMatch, rule as foreignRule, viaGateway } from './http-route-cases.ts';
import { GATEWAY_SERVICE, PORTED_SERVICES, gatewayCase, meshPortCase } from './http-route-port-cases.ts';
import { routeOracleForFile } from './route-oracle-for-file.ts';

const oracle = routeOracleForFile();

const tally = { cases: 0, requests: 0, statuses: 0, stages: 0, refused: 0 };

/** One question to both routers: routes (and Gateway API objects) over Services, a client, requests. */
interface Scenario {
  routes: HTTPRoute[];
  services: readonly ServiceSpec[];
  clientNamespace: string;
  requests: ProbeRequest[];
  /** The requests enter by this Gateway (its pod is the proxy) instead of a sidecar in clientNamespace. */
  gateway?: KubeGateway;
  grants?: ReferenceGrant[];
}

const GATEWAY_CLASS = GATEWAY_OBJECTS[0];

/** What kinds of decision and status pilot made, so a generator that stops reaching a case fails the test instead of passing it. */
const seen = new Set<string>();
function outcome(d: ReturnType<typeof oracleDecision>): string {
  if (d.kind !== 'route') return d.kind;
  if (d.clusters.some((c) => c.cluster === 'UnknownService')) return 'not permitted';
  return d.clusters.some((c) => c.cluster.startsWith('outbound|8080|')) ? 'port 8080' : 'route';
}

/** Pilot's and the simulator's decisions for every request of the scenario, where they differ. */
async function disagreements(s: Scenario) {
  const gatewayApi = [...(s.gateway ? [GATEWAY_CLASS, s.gateway] : []), ...(s.grants ?? []), ...s.routes].map((o) => JSON.stringify(o)).join('\n---\n');
  const oracleServices = s.gateway ? [...s.services, { ...GATEWAY_SERVICE, name: `${s.gateway.metadata.name}-istio` }] : s.services;
  const options = s.gateway ? { gatewayApi, gatewayService: `${s.gateway.metadata.name}-istio` } : { gatewayApi };
  const answer = await oracle.ask<OracleAnswer>(oracleCase('', oracleServices, s.gateway ? NS : s.clientNamespace, s.requests, options));
  if (answer.error) throw new Error(`oracle: ${answer.error}`);
  const table = simulatorTable(s.services, { virtualServices: [], destinationRules: [], httpRoutes: s.routes, kubeGateways: s.gateway ? [s.gateway] : [], referenceGrants: s.grants ?? [] });
  const via = s.gateway ? `${NS}/${s.gateway.metadata.name}` : 'mesh';
  const statusInputs = { world: table.world, gateways: table.kubeGateways, referenceGrants: table.referenceGrants };
  const statusDisagreements = s.routes.flatMap((route) => {
    tally.statuses++;
    const simulator = comparableParents(routeStatus(route, statusInputs, 'now'));
    const pilot = oracleRouteStatus(answer, route);
    for (const c of pilot.flatMap((p) => p.conditions)) seen.add(c.message.startsWith('Route was valid, bound to') ? 'Accepted by several listeners' : `${c.type} ${c.reason}`);
    return JSON.stringify(simulator) === JSON.stringify(pilot) ? [] : [{ route: `${route.metadata.namespace}/${route.metadata.name}`, simulator, pilot }];
  });
  return [...statusDisagreements, ...s.requests.flatMap((request, i) => {
    tally.requests++;
    const simulator = simulatorDecision(table, request, s.gateway ? NS : s.clientNamespace, via);
    const pilot = oracleDecision(answer, i);
    seen.add(outcome(pilot));
    return JSON.stringify(simulator) === JSON.stringify(pilot) ? [] : [{ request, simulator, pilot }];
  })];
}

/** The routes on the Service `catalog` (port 80) for mesh requests, or on the port-80 Gateway for its host and another. */
function port80Scenario(routes: HTTPRoute[], clientNamespace: string, gateway?: boolean): Scenario {
  const probes = httpRouteProbes(routes);
  const requests: ProbeRequest[] = gateway ? [...probes, ...probes].map((p, i) => ({ ...p, host: i < probes.length ? GATEWAY.host : 'other.example.com' })) : probes;
  return { routes, services: ROUTE_SERVICES, clientNamespace, requests, ...(gateway ? { gateway: GATEWAY_OBJECTS[1] as unknown as KubeGateway } : {}) };
}

/** Every generated case's scenario gets the same decision from pilot and the simulator for every request. */
async function agreeOn<T>(cases: fc.Arbitrary<T>, scenarioOf: (c: T) => Scenario, defaultRuns: number) {
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      tally.cases++;
      const s = scenarioOf(c);
      const found = await disagreements(s);
      expect(found.slice(0, 3), `${found.length} disagreements for ${JSON.stringify({ gateway: s.gateway?.spec, grants: s.grants, routes: s.routes })}`).toEqual([]);
    }),
    { numRuns: Number(process.env.ORACLE_RUNS ?? defaultRuns), ...(process.env.ORACLE_SEED ? { seed: Number(process.env.ORACLE_SEED) } : {}) },
  );
}

describe('the simulator routes HTTPRoutes as Istio does', () => {
  it('on generated HTTPRoutes attached to a Service (mesh and waypoint parents)', async () => {
    await agreeOn(httpRouteCase, (c) => port80Scenario(c.routes, c.clientNamespace), 150);
  }, 1_200_000);

  it('on the same routes attached to a Gateway, for requests entering by it (its host and another)', async () => {
    await agreeOn(httpRouteCase, (c) => port80Scenario(c.routes.filter((r) => r.metadata.namespace === NS).map(viaGateway), NS, true), 60);
  }, 1_200_000);

  it('on mesh routes with a parentRef port or sectionName, backends on port 8080 and in another namespace (no grant needed), requests on both ports', async () => {
    await agreeOn(meshPortCase, (c) => ({ routes: c.routes, services: PORTED_SERVICES, clientNamespace: c.clientNamespace, requests: c.requests }), 80);
  }, 1_200_000);

  it('on a Gateway with several listeners (ports, hostnames, allowedRoutes), sectionName/port attachments and cross-namespace backends with and without ReferenceGrants', async () => {
    seen.clear();
    await agreeOn(gatewayCase, (c) => ({ routes: c.routes, services: PORTED_SERVICES, clientNamespace: NS, requests: c.requests, gateway: c.gateway, grants: c.grants }), 80);
    expect([...seen].sort()).toEqual([
      'Accepted Accepted',
      'Accepted NoMatchingListenerHostname',
      'Accepted NoMatchingParent',
      'Accepted NotAllowedByListeners',
      'Accepted by several listeners',
      'ResolvedRefs BackendNotFound',
      'ResolvedRefs RefNotPermitted',
      'ResolvedRefs ResolvedRefs',
      'directResponse',
      'none',
      'not permitted',
      'port 8080',
      'route',
    ]);
  }, 1_200_000);

  it("on istio-canary's stage outputs (src/routing/http-route) for generated live routes", async () => {
    const canary: HttpRouteCanary = { canaryName: 'catalog', rule: 'main', services: { namespace: NS, stable: 'catalog-v1', canary: 'catalog-v2' } };
    const stages: StageTraffic[] = [
      { headers: { 'x-canary': { exact: 'internal' } }, mirrorPercentage: 0, canaryWeight: 0 },
      { headers: { 'x-canary': { regex: '(?i)in.*' } }, mirrorPercentage: 12.5, canaryWeight: 0 },
      { mirrorPercentage: 0, canaryWeight: 30 },
      { mirrorPercentage: 0, canaryWeight: 100 },
    ];
    const live = fc
      .record({ before: fc.array(foreignRule, { maxLength: 3 }), matches: fc.array(routeMatch, { minLength: 1, maxLength: 2 }), after: fc.array(foreignRule, { maxLength: 2 }) })
      .map(({ before, matches, after }) => route('catalog', NS, '2026-01-01T00:00:00Z', [...before, { name: 'main', matches, backendRefs: [{ name: 'catalog-v1', port: 80 }] }, ...after]));
    await fc.assert(
      fc.asyncProperty(live, fc.constantFrom('web', NS), async (liveRoute, clientNamespace) => {
        const baseline = stripCanary(liveRoute, canary);
        for (const stage of stages) {
          tally.stages++;
          let desired: HTTPRoute;
          try {
            desired = applyStage(baseline, canary, stage).route;
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            tally.refused++;
            continue;
          }
          const found = await disagreements(port80Scenario([desired], clientNamespace));
          expect(found.slice(0, 3), `${found.length} disagreements for ${JSON.stringify(desired)}`).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 60) },
    );
    expect(tally.refused).toBeLessThan(tally.stages / 2);
  }, 1_200_000);

  afterAll(() => {
    console.log(
      `HTTPRoute agreement: ${tally.requests} probe requests and ${tally.statuses} route statuses over ${tally.cases} generated cases and ${tally.stages} stage outputs (${tally.refused} refused by the planner)`,
    );
  });
});
