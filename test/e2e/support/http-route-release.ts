// One release on an HTTPRoute under test: its own namespace, three simulator services (the parent
// `catalog` under a steady load — behind sidecars or an ambient waypoint — and one Service per
// version, `catalog-v1` and `catalog-v2`), an HTTPRoute attached to `catalog` with a foreign
// `health` rule before the owned `main` rule, and the spec file; plus readers of the route.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { RolloutState } from '../../../src/core/state.ts';
import type { HTTPRoute, RouteRule } from '../../../src/routing/http-route/types.ts';
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';
import { applyGatewayApi, getGatewayApi, kubeConfig, meshEnv, uniqueNamespace, waitFor, type GatewayApiObject } from '../../env/cluster.ts';
import { SimulatorClient } from '../../sim/client.ts';
import { CANARY_NAME, COHORT_HEADER, DEFAULT_CHECKS, STATE_ANNOTATION, type Release, type SpecOptions } from './release-fixture.ts';

export interface RouteRelease extends Release {
  dataPlane: 'sidecar' | 'waypoint';
  /** The route as the API server stored it before the release. */
  initialRoute: HTTPRoute;
}

export const HEALTH_RULE: RouteRule = {
  name: 'health',
  matches: [{ path: { type: 'Exact', value: '/healthz' } }],
  backendRefs: [{ name: 'catalog-v1', port: 80 }],
};

export function initialRoute(ns: string): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'catalog', namespace: ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 80 }],
      rules: [
        structuredClone(HEALTH_RULE),
        {
          name: 'main',
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-from', value: 'mesh' }] } }],
          backendRefs: [{ name: 'catalog-v1', port: 80 }],
        },
      ],
    },
  };
}

export function routeSpecDocument(ns: string, dataPlane: 'sidecar' | 'waypoint', options: SpecOptions): Record<string, unknown> {
  return {
    apiVersion: 'istio-canary/v1',
    kind: 'Canary',
    metadata: { name: CANARY_NAME },
    spec: {
      namespace: ns,
      routing: 'httpRoute',
      httpRoute: 'catalog',
      route: 'main',
      host: 'catalog',
      dataPlane,
      stable: { service: 'catalog-v1' },
      canary: { service: 'catalog-v2' },
      ...(options.stages ? { stages: options.stages } : {}),
      bake: options.bake ?? '4s',
      settle: options.settle ?? '300ms',
      analysis: { interval: options.interval ?? '2s', checks: options.checks ?? DEFAULT_CHECKS },
    },
  };
}

/** Without a mirror stage: behind a waypoint nobody reports mirrored requests (refused at load). */
export const WAYPOINT_STAGES = [{ darkLaunch: {} }, { weight: 10 }, { weight: 50 }, { weight: 100 }];

/** `createRoute: false`: the route is left to someone else (commit mode's sync loop); `initialRoute` is then the one written. */
export async function newRouteRelease(prefix: string, dataPlane: 'sidecar' | 'waypoint', spec: SpecOptions = {}, { createRoute = true } = {}): Promise<RouteRelease> {
  const env = meshEnv();
  const kc = kubeConfig(env);
  const sim = new SimulatorClient(env.simulatorUrl);
  const ns = uniqueNamespace(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  const specFile = join(dir, 'canary.yaml');
  writeFileSync(specFile, safeYaml(routeSpecDocument(ns, dataPlane, { ...(dataPlane === 'waypoint' ? { stages: WAYPOINT_STAGES } : {}), ...spec })));
  for (const [name, version] of [['catalog-v1', 'v1'], ['catalog-v2', 'v2']] as const) {
    await sim.putService(ns, name, { versions: [{ name: version, labels: { app: 'catalog', version }, workload: name }] });
  }
  await sim.putService(ns, 'catalog', {
    dataPlane,
    versions: [{ name: 'v0', labels: { app: 'catalog', version: 'v0' }, workload: 'catalog-unrouted' }],
    load: { requestsPerSecond: 40, from: `${ns}/webapp`, headers: [{ name: COHORT_HEADER, value: 'internal', share: 0.1 }] },
  });
  if (createRoute) await applyGatewayApi(kc, initialRoute(ns) as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
  const stored = createRoute ? await readRoute({ kc, ns } as RouteRelease) : initialRoute(ns);
  return { ns, env, kc, kubeconfig: env.kubeconfig, sim, specFile, dir, adminRoute: {}, initialVs: stored as never, dataPlane, initialRoute: stored };
}

export function routeReleases(): (pending: Promise<RouteRelease>) => Promise<RouteRelease> {
  const releases: RouteRelease[] = [];
  afterAll(async () => {
    for (const r of releases) {
      for (const name of ['catalog', 'catalog-v1', 'catalog-v2']) await r.sim.deleteService(r.ns, name).catch(() => undefined);
      rmSync(r.dir, { recursive: true, force: true });
    }
  });
  return async (pending) => {
    const release = await pending;
    releases.push(release);
    return release;
  };
}

export async function readRoute(release: Pick<RouteRelease, 'kc' | 'ns'>): Promise<HTTPRoute> {
  return (await getGatewayApi(release.kc, 'HTTPRoute', release.ns, 'catalog')) as unknown as HTTPRoute;
}

export function routeState(route: HTTPRoute): RolloutState | undefined {
  const text = route.metadata.annotations?.[STATE_ANNOTATION];
  return text === undefined ? undefined : (JSON.parse(text) as RolloutState);
}

export function waitForRouteStage(release: RouteRelease, stageId: string, timeoutMs = 60_000): Promise<HTTPRoute> {
  return waitFor(async () => {
    const route = await readRoute(release);
    const state = routeState(route);
    return state?.status === 'in-progress' && state.history.at(-1)?.stage === stageId ? route : undefined;
  }, { timeoutMs, intervalMs: 100, what: `${release.ns}: stage ${stageId} in progress` });
}

/** A team's HTTPRoute on the same parent, created after ours, whose match (PathPrefix / with one header)
 * ranks between the dark-launch match and the owned match: it would steal part of the cohort. */
export function applyCohortStealer(release: Pick<RouteRelease, 'kc' | 'ns'>): Promise<GatewayApiObject> {
  const route = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'tenant-gold', namespace: release.ns },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 80 }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'catalog-v1', port: 80 }] }],
    },
  };
  return applyGatewayApi(release.kc, route as unknown as GatewayApiObject, { fieldManager: 'team-gold' });
}

/** Live requests the version Services answered, from the parent's stats. */
export function versionLive(stats: Awaited<ReturnType<SimulatorClient['stats']>>, ns: string, version: 'v1' | 'v2'): number {
  return stats.versions[`${ns}/catalog-${version}:${version}`]?.live ?? 0;
}

/** The route's rules are the ones before the release: the foreign rule and the owned one as stored. */
export function assertRouteRestored(release: RouteRelease, route: HTTPRoute): void {
  const strip = (r: HTTPRoute) => JSON.stringify(r.spec.rules);
  if (strip(route) !== strip(release.initialRoute)) throw new Error(`${release.ns}: the route's rules differ from before the release:\n${strip(route)}\n${strip(release.initialRoute)}`);
}
