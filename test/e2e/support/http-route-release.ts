// One release on an HTTPRoute under test: its own namespace, three simulator services (the parent
// `catalog` under a steady load — behind sidecars or an ambient waypoint — and one Service per
// version, `catalog-v1` and `catalog-v2`), an HTTPRoute attached to `catalog` with a foreign
// `health` rule before the owned `main` rule, and the spec file; plus readers of the route.
import type { RolloutState } from '../../../src/core/state.ts';
import type { HTTPRoute, RouteRule } from '../../../src/routing/http-route/types.ts';
import { applyGatewayApi, getGatewayApi, waitFor, type GatewayApiObject } from '../../env/cluster.ts';
import type { SimulatorClient } from '../../sim/client.ts';
import { COHORT_HEADER, disposedAfterAll, releaseWorkspace, specDocument, STATE_ANNOTATION, type Release, type SpecOptions } from './release-fixture.ts';

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

/** An HTTPRoute attached to the mesh Service `catalog` (GAMMA) with these rules. */
export function catalogRoute(ns: string, rules: RouteRule[], name = 'catalog'): HTTPRoute {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 80 }], rules },
  };
}

export function initialRoute(ns: string): HTTPRoute {
  return catalogRoute(ns, [
    structuredClone(HEALTH_RULE),
    {
      name: 'main',
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-from', value: 'mesh' }] } }],
      backendRefs: [{ name: 'catalog-v1', port: 80 }],
    },
  ]);
}

/** Without a mirror stage: behind a waypoint nobody reports mirrored requests, so the built-in checks
 * could not judge one (refused at load). The default stages of a waypoint release here. */
export const WAYPOINT_STAGES = [{ darkLaunch: {} }, { weight: 10 }, { weight: 50 }, { weight: 100 }];

/** The canary's error ratio from its own request counter (the simulator's `http_requests_total`,
 * which an app exports with a Prometheus client): it counts mirrored requests too. Requests without
 * a 5xx are 0; no request in the window is no data (`> 0`), not 0/0: a NaN fails the check. */
export const APP_ERRORS_CHECK = {
  name: 'app-errors',
  type: 'custom',
  max: 0.05,
  // A window without a scrape to compare (a loaded machine) extends the bake rather than failing it.
  noData: 'hold',
  query:
    '(sum(increase(http_requests_total{namespace="{{ namespace }}",workload="{{ canaryWorkload }}",code=~"5.."}[{{ interval }}])) or vector(0))' +
    ' / (sum(increase(http_requests_total{namespace="{{ namespace }}",workload="{{ canaryWorkload }}"}[{{ interval }}])) > 0)',
};

/** A waypoint release with a mirror stage, judged by the canary's own request counter. The cohort
 * leaves the canary after the dark launch, so the mirror stage is judged on shadow requests alone.
 * The check's window is the analysis interval (custom checks are not counted since the stage
 * started), so 3 s: two scrapes at least, and a dozen cohort requests in the dark launch. */
export const WAYPOINT_MIRROR_SPEC: SpecOptions = {
  stages: [{ darkLaunch: { keep: false } }, { mirror: { percentage: 50 } }, { weight: 10 }, { weight: 50 }, { weight: 100 }],
  checks: [APP_ERRORS_CHECK],
  bake: '6s',
  interval: '3s',
  maxHold: '30s',
};

/** The spec of a release on the HTTPRoute: the VirtualService release's, routed by the HTTPRoute
 * with a Service per version; a waypoint release defaults to WAYPOINT_STAGES. */
export function routeSpecDocument(ns: string, dataPlane: 'sidecar' | 'waypoint', options: SpecOptions): Record<string, unknown> {
  const document = specDocument(ns, { ...(dataPlane === 'waypoint' ? { stages: WAYPOINT_STAGES } : {}), ...options }) as { spec: Record<string, unknown> };
  const { virtualService: _virtualService, ...common } = document.spec;
  document.spec = { ...common, routing: 'httpRoute', httpRoute: 'catalog', route: 'main', dataPlane, stable: { service: 'catalog-v1' }, canary: { service: 'catalog-v2' } };
  return document;
}

const SERVICES = ['catalog', 'catalog-v1', 'catalog-v2'];

/** `createRoute: false`: the route is left to someone else (commit mode's sync loop); `initialRoute` is then the one written. */
export async function newRouteRelease(prefix: string, dataPlane: 'sidecar' | 'waypoint', spec: SpecOptions = {}, { createRoute = true } = {}): Promise<RouteRelease> {
  const workspace = releaseWorkspace(prefix, (ns) => routeSpecDocument(ns, dataPlane, spec));
  const { ns, kc, sim } = workspace;
  for (const [name, version] of [['catalog-v1', 'v1'], ['catalog-v2', 'v2']] as const) {
    await sim.putService(ns, name, { versions: [{ name: version, labels: { app: 'catalog', version }, workload: name }] });
  }
  await sim.putService(ns, 'catalog', {
    dataPlane,
    versions: [{ name: 'v0', labels: { app: 'catalog', version: 'v0' }, workload: 'catalog-unrouted' }],
    load: { requestsPerSecond: 40, from: `${ns}/webapp`, headers: [{ name: COHORT_HEADER, value: 'internal', share: 0.1 }] },
  });
  if (createRoute) await applyGatewayApi(kc, initialRoute(ns) as unknown as GatewayApiObject, { fieldManager: 'test-setup' });
  const stored = createRoute ? await readRoute({ kc, ns }) : initialRoute(ns);
  return { ...workspace, adminRoute: {}, initialVs: stored as never, dataPlane, initialRoute: stored };
}

/** Call at a test file's top level: releases passed through it are disposed after the file's tests. */
export function routeReleases(): (pending: Promise<RouteRelease>) => Promise<RouteRelease> {
  return disposedAfterAll<RouteRelease>(SERVICES);
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
  const route = catalogRoute(release.ns, [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'catalog-v1', port: 80 }] }], 'tenant-gold');
  return applyGatewayApi(release.kc, route as unknown as GatewayApiObject, { fieldManager: 'team-gold' });
}

/** Live requests the version Services answered, from the parent's stats. */
export function versionLive(stats: Awaited<ReturnType<SimulatorClient['stats']>>, ns: string, version: 'v1' | 'v2'): number {
  return stats.versions[`${ns}/catalog-${version}:${version}`]?.live ?? 0;
}

/** Mirrored requests the version Services answered, from the parent's stats. */
export function versionMirrored(stats: Awaited<ReturnType<SimulatorClient['stats']>>, ns: string, version: 'v1' | 'v2'): number {
  return stats.versions[`${ns}/catalog-${version}:${version}`]?.mirrored ?? 0;
}

/** The route's rules are the ones before the release: the foreign rule and the owned one as stored. */
export function assertRouteRestored(release: RouteRelease, route: HTTPRoute): void {
  const strip = (r: HTTPRoute) => JSON.stringify(r.spec.rules);
  if (strip(route) !== strip(release.initialRoute)) throw new Error(`${release.ns}: the route's rules differ from before the release:\n${strip(route)}\n${strip(release.initialRoute)}`);
}

/** What a write of the route's owner changes: its spec (and generation), labels and annotations (the
 * state). Not its resourceVersion, which Istio's status writes move too. */
export function writtenPart(route: HTTPRoute) {
  const { generation, labels, annotations } = route.metadata;
  return { generation, labels, annotations, spec: route.spec };
}
