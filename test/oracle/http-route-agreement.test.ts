// The simulator routes HTTPRoutes as Istio does: generated HTTPRoutes attached to a Service
// (GAMMA: producer routes and consumer routes, one or two routes, precedence across their rules,
// weights, RequestMirror percent and fraction, header filters) are converted by Istio's own
// Gateway API controller and routed by pilot (test/oracle); every probe request must get the same
// decision from the simulator's HTTPRoute router (test/sim/http-route.ts).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteOracle } from '../env/istio-tools.ts';
import { applyStage, stripCanary, type HttpRouteCanary, type StageTraffic } from '../../src/routing/http-route/traffic.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import { InputError } from '../../src/errors.ts';
import { oracleDecision, simulatorDecision, simulatorTable, type OracleAnswer } from './agreement.ts';
import type { ProbeRequest } from './probe-requests.ts';
import { GATEWAY, GATEWAY_OBJECTS, NS, ROUTE_SERVICES, httpRouteCase, httpRouteProbes, route, routeMatch, rule as foreignRule, viaGateway } from './http-route-cases.ts';

let oracle: RouteOracle;
beforeAll(async () => {
  oracle = await RouteOracle.start();
}, 1_200_000);
afterAll(async () => {
  await oracle?.stop();
});

const tally = { cases: 0, requests: 0, stages: 0, refused: 0 };

const services = [...ROUTE_SERVICES.map((s) => ({ name: s.name, namespace: s.namespace })), { name: GATEWAY.service, namespace: NS }];

/** Pilot's and the simulator's decisions for the routes, for mesh requests or requests via the Gateway. */
async function disagreementsFor(routes: HTTPRoute[], clientNamespace: string, gateway?: boolean) {
  const probes = httpRouteProbes(routes);
  const requests: ProbeRequest[] = gateway ? [...probes, ...probes].map((p, i) => ({ ...p, host: i < probes.length ? GATEWAY.host : 'other.example.com' })) : probes;
  const answer = await oracle.ask<OracleAnswer>({
    config: '',
    gatewayApi: [...(gateway ? GATEWAY_OBJECTS : []), ...routes].map((r) => JSON.stringify(r)).join('\n---\n'),
    services,
    proxy: gateway ? { namespace: NS, gatewayService: GATEWAY.service } : { namespace: clientNamespace },
    requests: requests.map((r) => ({ host: r.host, port: 80, path: r.path, method: r.method, headers: r.headers, ...(gateway ? { routeName: 'http.80' } : {}) })),
  });
  if (answer.error) throw new Error(`oracle: ${answer.error}`);
  const table = simulatorTable(ROUTE_SERVICES, { virtualServices: [], destinationRules: [], httpRoutes: routes });
  return requests.flatMap((request, i) => {
    tally.requests++;
    const simulator = simulatorDecision(table, request, gateway ? NS : clientNamespace, gateway ? GATEWAY.id : 'mesh');
    const pilot = oracleDecision(answer, i);
    return JSON.stringify(simulator) === JSON.stringify(pilot) ? [] : [{ request, simulator, pilot }];
  });
}

describe('the simulator routes HTTPRoutes as Istio does', () => {
  it('on generated HTTPRoutes attached to a Service (mesh and waypoint parents)', async () => {
    await fc.assert(
      fc.asyncProperty(httpRouteCase, async (c) => {
        tally.cases++;
        const disagreements = await disagreementsFor(c.routes, c.clientNamespace);
        expect(disagreements.slice(0, 3), `${disagreements.length} disagreements for ${JSON.stringify(c.routes)}`).toEqual([]);
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 150) },
    );
  }, 1_200_000);

  it('on the same routes attached to a Gateway, for requests entering by it (its host and another)', async () => {
    await fc.assert(
      fc.asyncProperty(httpRouteCase, async (c) => {
        tally.cases++;
        const routes = c.routes.filter((r) => r.metadata.namespace === NS).map(viaGateway);
        const disagreements = await disagreementsFor(routes, NS, true);
        expect(disagreements.slice(0, 3), `${disagreements.length} disagreements for ${JSON.stringify(routes)}`).toEqual([]);
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 60) },
    );
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
          const disagreements = await disagreementsFor([desired], clientNamespace);
          expect(disagreements.slice(0, 3), `${disagreements.length} disagreements for ${JSON.stringify(desired)}`).toEqual([]);
        }
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 60) },
    );
    expect(tally.refused).toBeLessThan(tally.stages / 2);
  }, 1_200_000);

  afterAll(() => {
    console.log(`HTTPRoute agreement: ${tally.requests} probe requests over ${tally.cases} generated cases and ${tally.stages} stage outputs (${tally.refused} refused by the planner)`);
  });
});
