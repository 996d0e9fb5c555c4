// HTTPRoutes on the real stack: istio-canary's stage routes pass the API server's Gateway API
// schema (CEL included), the simulator routes them (the cohort to the canary Service, a mirror
// fraction, weights), writes their status as Istio's controller does for the route's generation,
// and behind a waypoint reports reporter="waypoint" to Prometheus.

import type { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStage, stripCanary, type HttpRouteCanary, type StageTraffic } from '../../src/routing/http-route/traffic.ts';
import type { HTTPRoute, RouteParentStatus } from '../../src/routing/http-route/types.ts';
import { applyGatewayApi, getGatewayApi, kubeConfig, meshEnv, uniqueNamespace, waitFor, type GatewayApiObject } from '../env/cluster.ts';
import { SimulatorClient } from '../sim/client.ts';
import { catalogRoute, HEALTH_RULE } from './support/http-route-release.ts';

const MANAGER = 'http-route-e2e';

function liveRoute(namespace: string): HTTPRoute {
  return catalogRoute(namespace, [
    structuredClone(HEALTH_RULE),
    {
      name: 'main',
      matches: [{ path: { type: 'PathPrefix', value: '/items' } }],
      filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-from', value: 'mesh' }] } }],
      timeouts: { request: '10s' },
      backendRefs: [{ name: 'catalog-v1', port: 80 }],
    },
  ]);
}

describe('HTTPRoute on the real stack', () => {
  let kc: KubeConfig;
  let sim: SimulatorClient;
  const services: Array<[string, string]> = [];

  beforeAll(() => {
    kc = kubeConfig();
    sim = new SimulatorClient(meshEnv().simulatorUrl);
  });

  afterAll(async () => {
    for (const [ns, name] of services) await sim.deleteService(ns, name).catch(() => undefined);
  });

  async function setup(prefix: string, dataPlane: 'sidecar' | 'waypoint'): Promise<string> {
    const ns = uniqueNamespace(prefix);
    const version = (name: string) => ({ name: 'v1', labels: { app: name, version: name === 'catalog-v2' ? 'v2' : 'v1' }, workload: name });
    for (const name of ['catalog-v1', 'catalog-v2']) {
      await sim.putService(ns, name, { versions: [version(name)] });
      services.push([ns, name]);
    }
    await sim.putService(ns, 'catalog', { dataPlane, versions: [version('catalog')], load: { from: `${ns}/webapp`, requestsPerSecond: 0, uri: '/items' } });
    services.push([ns, 'catalog']);
    return ns;
  }

  /** Apply and wait until Istio's controller (the simulator) reports the route's parents for this generation. */
  async function applyAndWait(route: HTTPRoute): Promise<RouteParentStatus[]> {
    // What a writer sends: the object's identity, our annotations and the spec (no server-set fields).
    const { name, namespace, annotations } = route.metadata;
    const manifest = { apiVersion: route.apiVersion, kind: route.kind, metadata: { name, namespace, ...(annotations ? { annotations } : {}) }, spec: route.spec };
    const applied = await applyGatewayApi(kc, manifest as unknown as GatewayApiObject, { fieldManager: MANAGER, force: true });
    const generation = applied.metadata.generation;
    let parents: RouteParentStatus[] = [];
    await waitFor(
      async () => {
        const live = await getGatewayApi(kc, 'HTTPRoute', route.metadata.namespace!, route.metadata.name);
        parents = ((live.status?.['parents'] ?? []) as RouteParentStatus[]).filter((p) => p.controllerName === 'istio.io/gateway-controller');
        return parents.length > 0 && parents.every((p) => (p.conditions ?? []).every((c) => c.observedGeneration === generation));
      },
      { timeoutMs: 15_000, what: `status of HTTPRoute ${route.metadata.namespace}/${route.metadata.name} for generation ${generation}` },
    );
    return parents;
  }

  const canary: HttpRouteCanary = { canaryName: 'catalog', rule: 'main', services: { namespace: '', stable: 'catalog-v1', canary: 'catalog-v2' } };

  it("every stage route is accepted by the API server's schema and routed as planned; status follows each generation", async () => {
    const ns = await setup('hr-stages', 'sidecar');
    const c = { ...canary, services: { ...canary.services, namespace: ns } };
    expect((await applyAndWait(liveRoute(ns)))[0]!.conditions!.map((x) => [x.type, x.status])).toEqual([['Accepted', 'True'], ['ResolvedRefs', 'True']]);
    const stored = (await getGatewayApi(kc, 'HTTPRoute', ns, 'catalog')) as unknown as HTTPRoute;
    const baseline = stripCanary(stored, c);
    const stages: Array<[StageTraffic, (s: Awaited<ReturnType<SimulatorClient['send']>>) => void]> = [
      [{ headers: { 'x-canary': { exact: 'internal' } }, mirrorPercentage: 0, canaryWeight: 0 }, (s) => expect(s.versions[`${ns}/catalog-v2:v1`]?.live).toBe(100)],
      [{ mirrorPercentage: 50, canaryWeight: 0 }, (s) => expect(s.versions[`${ns}/catalog-v2:v1`]?.mirrored).toBeGreaterThan(0)],
      [{ mirrorPercentage: 0, canaryWeight: 100 }, (s) => expect(s.versions[`${ns}/catalog-v2:v1`]?.live).toBe(100)],
    ];
    for (const [stage, check] of stages) {
      const desired = applyStage(baseline, c, stage).route;
      const parents = await applyAndWait(desired);
      expect(parents[0]!.conditions!.every((x) => x.status === 'True')).toBe(true);
      // Stored exactly as written: no schema default fills in anything the stage left out (the
      // routing port's read-back would take that for a mutating webhook).
      expect(((await getGatewayApi(kc, 'HTTPRoute', ns, 'catalog')) as unknown as HTTPRoute).spec).toEqual(desired.spec);
      await sim.setLoad(ns, 'catalog', { headers: stage.headers ? [{ name: 'x-canary', value: 'internal', share: 1 }] : [] });
      await sim.resetService(ns, 'catalog');
      check(await sim.send(ns, 'catalog', 100));
    }
    // Rollback: the baseline again, every foreign rule and option as the API server stored them.
    await applyAndWait(baseline.route);
    const back = (await getGatewayApi(kc, 'HTTPRoute', ns, 'catalog')) as unknown as HTTPRoute;
    expect(back.spec.rules).toEqual(stored.spec.rules);
    expect(back.metadata.annotations ?? {}).toEqual(stored.metadata.annotations ?? {});
  });

  it('a route to a Service that does not exist is refused in its status with the host', async () => {
    const ns = await setup('hr-refused', 'sidecar');
    const route = liveRoute(ns);
    route.spec.rules![1]!.backendRefs = [{ name: 'catalog-v9', port: 80 }];
    const [parent] = await applyAndWait(route);
    expect(parent!.conditions![1]).toMatchObject({ type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: `backend(catalog-v9.${ns}.svc.cluster.local) not found` });
  });

  it('behind a waypoint Prometheus sees reporter="waypoint" only', async () => {
    const ns = await setup('hr-waypoint', 'waypoint');
    await applyAndWait(liveRoute(ns));
    await sim.send(ns, 'catalog', 40);
    const query = async (reporter: string) => {
      const q = `sum(istio_requests_total{reporter="${reporter}",destination_workload_namespace="${ns}"})`;
      const body = (await (await fetch(`${meshEnv().prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return body.data.result[0] === undefined ? undefined : Number(body.data.result[0].value[1]);
    };
    await waitFor(async () => (await query('waypoint')) === 40, { timeoutMs: 30_000, what: 'Prometheus to scrape 40 waypoint-reported requests' });
    expect(await query('destination')).toBeUndefined();
    expect(await query('source')).toBeUndefined();
  });
});
