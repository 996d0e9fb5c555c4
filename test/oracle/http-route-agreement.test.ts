// The simulator routes HTTPRoutes as Istio does: generated HTTPRoutes attached to a Service
// (GAMMA: producer routes and consumer routes, one or two routes, precedence across their rules,
// weights, RequestMirror percent and fraction, header filters) are converted by Istio's own
// Gateway API controller and routed by pilot (test/oracle); every probe request must get the same
// decision from the simulator's HTTPRoute router (test/sim/http-route.ts).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RouteOracle } from '../env/istio-tools.ts';
import { oracleDecision, simulatorDecision, simulatorTable, type OracleAnswer } from './agreement.ts';
import { ROUTE_SERVICES, httpRouteCase, httpRouteProbes } from './http-route-cases.ts';

let oracle: RouteOracle;
beforeAll(async () => {
  oracle = await RouteOracle.start();
}, 1_200_000);
afterAll(async () => {
  await oracle?.stop();
});

const tally = { cases: 0, requests: 0 };

describe('the simulator routes HTTPRoutes as Istio does', () => {
  it('on generated HTTPRoutes attached to a Service (mesh and waypoint parents)', async () => {
    await fc.assert(
      fc.asyncProperty(httpRouteCase, async (c) => {
        tally.cases++;
        const requests = httpRouteProbes(c.routes);
        const answer = await oracle.ask<OracleAnswer>({
          config: '',
          gatewayApi: c.routes.map((r) => JSON.stringify(r)).join('\n---\n'),
          services: ROUTE_SERVICES.map((s) => ({ name: s.name, namespace: s.namespace })),
          proxy: { namespace: c.clientNamespace },
          requests: requests.map((r) => ({ host: r.host, port: 80, path: r.path, method: r.method, headers: r.headers })),
        });
        if (answer.error) throw new Error(`oracle: ${answer.error}`);
        const table = simulatorTable(ROUTE_SERVICES, { virtualServices: [], destinationRules: [], httpRoutes: c.routes });
        const disagreements = requests.flatMap((request, i) => {
          tally.requests++;
          const simulator = simulatorDecision(table, request, c.clientNamespace);
          const pilot = oracleDecision(answer, i);
          return JSON.stringify(simulator) === JSON.stringify(pilot) ? [] : [{ request, simulator, pilot }];
        });
        expect(disagreements.slice(0, 3), `${disagreements.length} disagreements for ${JSON.stringify(c.routes)}`).toEqual([]);
      }),
      { numRuns: Number(process.env.ORACLE_RUNS ?? 150) },
    );
  }, 1_200_000);

  afterAll(() => {
    console.log(`HTTPRoute agreement: ${tally.requests} probe requests over ${tally.cases} generated cases`);
  });
});
