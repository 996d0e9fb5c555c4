// A release in apply mode on an HTTPRoute whose parent is an ingress Gateway (Gateway API), through
// the CLI on the real API server with the simulator as Istio's controller and data plane: the
// Gateway has a listener on port 80 and one on 8443 for catalog.example.com; the route attaches
// to the 8443 listener by sectionName and its backends serve on port 8080 (target 9080). Traffic
// enters through the gateway: a probe with the cohort header, one without, and one on the other
// listener show where requests go at the dark launch, after promotion and after a rollback.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HTTPRoute, RouteParentStatus } from '../../src/routing/http-route/types.ts';
import { applyGatewayApi, waitFor, type GatewayApiObject } from '../env/cluster.ts';
import { assertRouteRestored, newRouteRelease, readRoute, routeReleases, routeState, waitForRouteStage, type RouteRelease } from './support/http-route-release.ts';
import { COHORT_HEADER, runCli, type SpecOptions } from './support/release-fixture.ts';

const GATEWAY = 'edge';
const HOST = 'catalog.example.com';
const LISTENER = { name: 'web', port: 8443 };
const BACKEND_PORT = 8080;
const BACKEND_PORTS = [{ name: 'http', port: BACKEND_PORT, targetPort: 9080 }];
/** Simulator services that only send when told (no timed load): through the gateway with and without the cohort header, and on the other listener. */
const PROBES = { cohort: 'probe-cohort', plain: 'probe-plain', otherListener: 'probe-port-80' } as const;

const track = routeReleases();
const probed: RouteRelease[] = [];
afterAll(async () => {
  for (const r of probed) for (const name of Object.values(PROBES)) await r.sim.deleteService(r.ns, name).catch(() => undefined);
});

function gateway(ns: string): GatewayApiObject {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: GATEWAY, namespace: ns },
    spec: {
      gatewayClassName: 'istio',
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' },
        { ...LISTENER, protocol: 'HTTP', hostname: HOST, allowedRoutes: { namespaces: { from: 'Same' } } },
      ],
    },
  };
}

function gatewayRoute(ns: string, sectionName: string): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'catalog', namespace: ns },
    spec: {
      parentRefs: [{ name: GATEWAY, sectionName }],
      hostnames: [HOST],
      rules: [
        { name: 'health', matches: [{ path: { type: 'Exact', value: '/healthz' } }], backendRefs: [{ name: 'catalog-v1', port: BACKEND_PORT }] },
        {
          name: 'main',
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-from', value: 'edge' }] } }],
          backendRefs: [{ name: 'catalog-v1', port: BACKEND_PORT }],
        },
      ],
    },
  };
}

/** The HTTPRoute release fixture (spec, namespace, version Services) with the route on the Gateway's listener instead. */
async function newGatewayRelease(prefix: string, spec: SpecOptions = {}, sectionName = LISTENER.name): Promise<RouteRelease> {
  const base = await newRouteRelease(prefix, 'sidecar', spec, { createRoute: false });
  const { ns, sim, kc } = base;
  probed.push(base);
  for (const [name, version] of [['catalog-v1', 'v1'], ['catalog-v2', 'v2']] as const) {
    await sim.putService(ns, name, { ports: BACKEND_PORTS, versions: [{ name: version, labels: { app: 'catalog', version }, workload: name }] });
  }
  const via = { gateway: `${ns}/${GATEWAY}`, host: HOST, port: LISTENER.port };
  const unrouted = [{ name: 'v0', labels: { app: 'catalog', version: 'v0' }, workload: 'catalog-unrouted' }];
  await sim.putService(ns, 'catalog', { versions: unrouted, load: { requestsPerSecond: 40, via, headers: [{ name: COHORT_HEADER, value: 'internal', share: 0.1 }] } });
  await sim.putService(ns, PROBES.cohort, { versions: [], load: { requestsPerSecond: 0, via, headers: [{ name: COHORT_HEADER, value: 'internal', share: 1 }] } });
  await sim.putService(ns, PROBES.plain, { versions: [], load: { requestsPerSecond: 0, via, headers: [] } });
  await sim.putService(ns, PROBES.otherListener, { versions: [], load: { requestsPerSecond: 0, via: { ...via, port: 80 }, headers: [] } });
  await applyGatewayApi(kc, gateway(ns), { fieldManager: 'test-setup' });
  await applyGatewayApi(kc, gatewayRoute(ns, sectionName) as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
  const stored = await readRoute(base);
  return { ...base, initialVs: stored as never, initialRoute: stored };
}

/**
 * Where `count` requests of a probe went: live requests per version Service, and the gateway's own
 * replies. A probe's requests enter by the same gateway as the release's load, so its metric series
 * carry the same labels as the load's; it is reset right after (stats and series dropped) so the
 * simulator does not expose the same series twice while Prometheus judges the release.
 */
async function probe(release: RouteRelease, name: string, count = 20) {
  const stats = await release.sim.send(release.ns, name, count);
  await release.sim.resetService(release.ns, name);
  const live = (v: 'v1' | 'v2') => stats.versions[`${release.ns}/catalog-${v}:${v}`]?.live ?? 0;
  return { v1: live('v1'), v2: live('v2'), local: stats.local };
}

function istioStatus(route: HTTPRoute): RouteParentStatus[] {
  return (route.status?.parents ?? []).filter((p) => p.controllerName === 'istio.io/gateway-controller');
}

describe.concurrent('release on an HTTPRoute attached to an ingress Gateway listener (port 8443, sectionName), backends on port 8080', () => {
  it('every stage passes and the canary is promoted; the cohort reaches v2 through the gateway at the dark launch', async () => {
    const release = await track(newGatewayRelease('hrgw-ok', { bake: '6s' }));
    const reportFile = `${release.dir}/report.md`;
    const run = runCli(release, 'run', ['--report', reportFile]);

    const dark = await waitForRouteStage(release, '00-dark-launch');
    expect(dark.spec.rules!.map((r) => r.name)).toEqual(['health', 'catalog-dark-launch', 'main']);
    expect(dark.spec.rules![1]!.backendRefs).toEqual([expect.objectContaining({ name: 'catalog-v2', port: BACKEND_PORT })]);
    // Istio's controller (the simulator) accepts the dark-launch generation on the 8443 listener.
    const accepted = await waitFor(
      async () => {
        const route = await readRoute(release);
        const [parent] = istioStatus(route);
        const condition = parent?.conditions?.find((c) => c.type === 'Accepted' && c.observedGeneration === route.metadata.generation);
        return condition === undefined ? undefined : { parentRef: parent!.parentRef, condition };
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `${release.ns}: Accepted for the dark-launch generation` },
    );
    expect(accepted.parentRef).toMatchObject({ name: GATEWAY, sectionName: LISTENER.name });
    expect(accepted.condition).toMatchObject({ status: 'True', reason: 'Accepted', message: 'Route was valid' });
    // The release's own cohort reaches v2 first, so its series is the one Prometheus keeps should a
    // scrape see the probe's identical series before the reset.
    await waitFor(async () => ((await release.sim.stats(release.ns, 'catalog')).versions[`${release.ns}/catalog-v2:v2`]?.live ?? 0) > 0, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `${release.ns}: the cohort of the load on v2`,
    });
    expect(await probe(release, PROBES.cohort)).toEqual({ v1: 0, v2: 20, local: {} });
    expect(await probe(release, PROBES.plain)).toEqual({ v1: 20, v2: 0, local: {} });
    // The route is bound to the 8443 listener only: on port 80 the gateway has no route for it.
    expect(await probe(release, PROBES.otherListener)).toEqual({ v1: 0, v2: 0, local: { '404 NR': 20 } });

    const result = await run;
    expect(result.stderr).not.toMatch(/rolling back/);
    expect(result.code).toBe(0);
    const route = await readRoute(release);
    const state = routeState(route)!;
    expect(state.status).toBe('promoted');
    expect(state.history.map((h) => h.stage)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100', 'promoted']);
    const main = route.spec.rules!.find((r) => r.name === 'main')!;
    expect(main.backendRefs!.map((b) => [b.name, b.port, b.weight])).toEqual([['catalog-v2', BACKEND_PORT, 1]]);
    expect(main.filters).toEqual(release.initialRoute.spec.rules![1]!.filters);
    expect(route.spec.rules!.find((r) => r.name === 'health')).toEqual(release.initialRoute.spec.rules![0]);
    expect(route.spec.parentRefs).toEqual(release.initialRoute.spec.parentRefs);
    expect(readFileSync(reportFile, 'utf8')).toContain(`HTTPRoute ${release.ns}/catalog`);
    expect(await probe(release, PROBES.plain)).toEqual({ v1: 0, v2: 20, local: {} });
  });

  it('v2 failing at 10 % is rolled back: the route is as before and the gateway sends nobody to v2', async () => {
    const release = await track(newGatewayRelease('hrgw-fail', { bake: '6s' }));
    const run = runCli(release, 'run');
    const weighted = await waitForRouteStage(release, '02-weight-10');
    const main = weighted.spec.rules!.find((r) => r.name === 'main')!;
    expect(main.backendRefs!.map((b) => [b.name, b.port, b.weight])).toEqual([
      ['catalog-v1', BACKEND_PORT, 90],
      ['catalog-v2', BACKEND_PORT, 10],
    ]);
    await release.sim.setProfile(release.ns, 'catalog-v2', 'v2', { errorRatio: 0.6, errorCode: 500 });
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('catalog was rolled back');
    const route = await readRoute(release);
    assertRouteRestored(release, route);
    expect(routeState(route)?.history.find((h) => h.result === 'failed')?.stage).toBe('02-weight-10');
    expect(await probe(release, PROBES.cohort)).toEqual({ v1: 20, v2: 0, local: {} });
    expect(await probe(release, PROBES.plain)).toEqual({ v1: 20, v2: 0, local: {} });
  });

  it('a sectionName the Gateway has no listener for: the first write is refused with Istio\'s message, and nothing is left', async () => {
    const release = await track(newGatewayRelease('hrgw-nolistener', {}, 'nope'));
    const result = await runCli(release, 'run');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Accepted is False (NoMatchingParent): sectionName "nope" not found; sectionName "nope" not found');
    expect(result.stderr).toContain('Gateway edge sectionName nope');
    assertRouteRestored(release, await readRoute(release));
    expect(await probe(release, PROBES.plain)).toEqual({ v1: 0, v2: 0, local: { '404 NR': 20 } });
  });
});

describe('the simulator as Istio for a route on the Gateway: a backend in another namespace needs a ReferenceGrant', () => {
  it('RefNotPermitted and no traffic to it until a ReferenceGrant in its namespace admits the route', async () => {
    const release = await track(newGatewayRelease('hrgw-grant'));
    const team = `${release.ns}-team`;
    await release.sim.putService(team, 'catalog-v2', { ports: BACKEND_PORTS, versions: [{ name: 'v2', labels: { app: 'catalog', version: 'v2' }, workload: 'catalog-v2' }] });
    try {
      const route = gatewayRoute(release.ns, LISTENER.name);
      route.spec.rules![1]!.backendRefs = [{ name: 'catalog-v2', namespace: team, port: BACKEND_PORT }];
      const written = await applyGatewayApi(release.kc, route as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
      const resolvedRefs = (generation: number | undefined, status: string) =>
        waitFor(
          async () => {
            const [parent] = istioStatus(await readRoute(release));
            const c = parent?.conditions?.find((x) => x.type === 'ResolvedRefs' && x.observedGeneration === generation && x.status === status);
            return c;
          },
          { timeoutMs: 30_000, intervalMs: 100, what: `${release.ns}: ResolvedRefs ${status} for generation ${generation}` },
        );
      expect(await resolvedRefs(written.metadata.generation, 'False')).toMatchObject({
        reason: 'RefNotPermitted',
        message: `backendRef catalog-v2/${team} not accessible to a HTTPRoute in namespace "${release.ns}" (missing a ReferenceGrant?)`,
      });
      expect(await probe(release, PROBES.plain)).toEqual({ v1: 0, v2: 0, local: { '503 NC': 20 } });

      const grant = {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: 'routes-of-shop', namespace: team },
        spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: release.ns }], to: [{ group: '', kind: 'Service', name: 'catalog-v2' }] },
      };
      await applyGatewayApi(release.kc, grant as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
      await resolvedRefs(written.metadata.generation, 'True');
      const stats = await release.sim.send(release.ns, PROBES.plain, 20);
      expect(stats.versions[`${team}/catalog-v2:v2`]?.live).toBe(20);
      expect(stats.local).toEqual({});
    } finally {
      await release.sim.deleteService(team, 'catalog-v2').catch(() => undefined);
    }
  });
});
