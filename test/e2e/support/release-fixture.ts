// One release under test: its own namespace, simulator service (catalog v1/v2 under a steady load),
// VirtualService (a foreign `admin` route before the owned `primary` route), DestinationRule and
// spec file; plus the CLI run the way a workflow would, and readers of what the cluster holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, expect } from 'vitest';
import { safeYaml } from '../../../src/yaml/safe-yaml.ts';
import { createIstio, getIstio, kubeConfig, meshEnv, uniqueNamespace, waitFor, type IstioObject } from '../../env/cluster.ts';
import type { MeshEnv } from '../../env/mesh.ts';
import { SimulatorClient } from '../../sim/client.ts';
import type { ServiceStats } from '../../sim/stats.ts';
import type { RolloutState } from '../../../src/core/state.ts';

export const COHORT_HEADER = 'x-istio-cohort';
export const STABLE_SUBSET = 'version-v1';
export const CANARY_SUBSET = 'version-v2';
export const CANARY_NAME = 'catalog';
export const STATE_ANNOTATION = `istio-canary.dev/${CANARY_NAME}`;
const CLI = resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

export type StageSpec = Record<string, unknown>;

export interface SpecOptions {
  /** Default: the five default stages. */
  stages?: StageSpec[];
  bake?: string;
  settle?: string;
  interval?: string;
  /** Default: success-rate >= 95 % over at least 3 requests; too few requests hold the stage (up to
   * `maxHold`, default 30 s) and then fail it. */
  checks?: Array<Record<string, unknown>>;
  failureLimit?: number;
  maxHold?: string;
}

export interface LoadOptions {
  requestsPerSecond: number;
  /** Share of requests carrying the dark-launch header. */
  headerShare: number;
}

export interface ReleaseOptions {
  spec?: SpecOptions;
  /** Timed load of the simulator service; `false`: no simulator service at all. */
  load?: LoadOptions | false;
  /** Extra metadata for the VirtualService (labels, annotations). */
  vsMetadata?: Record<string, unknown>;
  /** Create the VirtualService yourself (e.g. under another field manager). */
  createVs?: boolean;
  /** Another API server than the mesh's (the simulator does not watch it). */
  cluster?: { kubeconfig: string; kc: KubeConfig };
}

export const DEFAULT_LOAD: LoadOptions = { requestsPerSecond: 40, headerShare: 0.1 };

// A loaded machine can delay the simulator's view of a new route or a scrape past a short bake; the
// stage then waits for its requests instead of failing on a window that has too few of them.
export const DEFAULT_CHECKS = [{ name: 'success', type: 'success-rate', min: 95, minRequests: 3, noData: 'hold' }];

/** The bake's extension while the default check waits for requests. */
export const DEFAULT_MAX_HOLD = '30s';

export interface Release {
  ns: string;
  env: MeshEnv;
  kc: KubeConfig;
  /** Path of the kubeconfig the CLI gets. */
  kubeconfig: string;
  sim: SimulatorClient;
  specFile: string;
  dir: string;
  /** The foreign route as created; it must come out of every release unchanged. */
  adminRoute: HttpRoute;
  /** The VirtualService as created by the test. */
  initialVs: IstioObject;
}

export interface HttpRoute {
  name?: string;
  match?: Array<Record<string, unknown>>;
  route?: Array<{ destination: { host: string; subset?: string }; weight?: number }>;
  mirror?: { host: string; subset?: string };
  mirrors?: unknown[];
  mirrorPercentage?: { value: number };
  [key: string]: unknown;
}

const destination = (subset: string) => ({ destination: { host: 'catalog', subset } });

export function adminRoute(): HttpRoute {
  return { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [destination(STABLE_SUBSET)] };
}

export function initialVirtualService(ns: string, metadata: Record<string, unknown> = {}): IstioObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: ns, ...metadata },
    spec: { hosts: ['catalog'], http: [adminRoute(), { name: 'primary', route: [destination(STABLE_SUBSET)] }] },
  };
}

export function initialDestinationRule(ns: string): IstioObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace: ns },
    spec: { host: 'catalog', subsets: [{ name: STABLE_SUBSET, labels: { version: 'v1' } }] },
  };
}

export function specDocument(ns: string, options: SpecOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'istio-canary/v1',
    kind: 'Canary',
    metadata: { name: CANARY_NAME },
    spec: {
      namespace: ns,
      virtualService: 'catalog',
      route: 'primary',
      host: 'catalog',
      stable: { labels: { version: 'v1' } },
      canary: { labels: { version: 'v2' } },
      ...(options.stages ? { stages: options.stages } : {}),
      bake: options.bake ?? '4s',
      settle: options.settle ?? '300ms',
      analysis: {
        interval: options.interval ?? '2s',
        ...(options.failureLimit ? { failureLimit: options.failureLimit } : {}),
        ...(options.maxHold || !options.checks ? { maxHold: options.maxHold ?? DEFAULT_MAX_HOLD } : {}),
        checks: options.checks ?? DEFAULT_CHECKS,
      },
    },
  };
}

/** What every release under test starts from: clients of the mesh, a fresh namespace, and a temporary
 * folder holding the spec file written for that namespace. */
export type ReleaseWorkspace = Omit<Release, 'adminRoute' | 'initialVs'>;

export function releaseWorkspace(prefix: string, spec: (ns: string) => Record<string, unknown>, cluster?: ReleaseOptions['cluster']): ReleaseWorkspace {
  const env = meshEnv();
  const ns = uniqueNamespace(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${ns}-`));
  const specFile = join(dir, 'canary.yaml');
  writeFileSync(specFile, safeYaml(spec(ns)));
  const kc = cluster?.kc ?? kubeConfig(env);
  return { ns, env, kc, kubeconfig: cluster?.kubeconfig ?? env.kubeconfig, sim: new SimulatorClient(env.simulatorUrl), specFile, dir };
}

/** Sets up everything one release needs in a fresh namespace. */
export async function newRelease(prefix: string, options: ReleaseOptions = {}): Promise<Release> {
  const workspace = releaseWorkspace(prefix, (ns) => specDocument(ns, options.spec), options.cluster);
  const { ns, kc, sim } = workspace;
  const load = options.load ?? DEFAULT_LOAD;
  if (load !== false) {
    await sim.putService(ns, 'catalog', {
      versions: [{ name: 'v1' }, { name: 'v2' }],
      load: {
        requestsPerSecond: load.requestsPerSecond,
        from: `${ns}/webapp`,
        headers: load.headerShare > 0 ? [{ name: COHORT_HEADER, value: 'internal', share: load.headerShare }] : [],
      },
    });
  }
  await createIstio(kc, initialDestinationRule(ns));
  const initialVs = initialVirtualService(ns, options.vsMetadata);
  if (options.createVs !== false) await createIstio(kc, initialVs);
  return { ...workspace, adminRoute: adminRoute(), initialVs };
}

/** Removes the release's simulator services (their load stops) and its folder. */
async function disposeServices(release: ReleaseWorkspace, services: readonly string[]): Promise<void> {
  for (const name of services) await release.sim.deleteService(release.ns, name).catch(() => undefined);
  rmSync(release.dir, { recursive: true, force: true });
}

export function disposeRelease(release: Release): Promise<void> {
  return disposeServices(release, ['catalog']);
}

/** Call at a test file's top level: releases passed through the returned function are disposed
 * (their simulator `services` removed, so their load stops) after the file's tests. */
export function disposedAfterAll<R extends ReleaseWorkspace = Release>(services: readonly string[] = ['catalog']): (pending: Promise<R>) => Promise<R> {
  const releases: R[] = [];
  afterAll(async () => {
    for (const release of releases) await disposeServices(release, services);
  });
  return async (pending) => {
    const release = await pending;
    releases.push(release);
    return release;
  };
}

// --- the CLI ---

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  done: Promise<CliResult>;
}

/** `istio-canary <command> --spec … --kubeconfig …` as a child process (Node 24: the one running vitest). */
export function spawnCli(release: Release, command: string, extra: string[] = [], options: { prometheusUrl?: string } = {}): CliRun {
  const args = [
    CLI,
    command,
    '--spec',
    release.specFile,
    '--kubeconfig',
    release.kubeconfig,
    '--prometheus-url',
    options.prometheusUrl ?? release.env.prometheusUrl,
    ...extra,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(release: Release, command: string, extra: string[] = [], options: { prometheusUrl?: string } = {}): Promise<CliResult> {
  return spawnCli(release, command, extra, options).done;
}

// --- what the cluster holds ---

export async function readVs(release: Release): Promise<IstioObject> {
  return getIstio(release.kc, { kind: 'VirtualService', namespace: release.ns, name: 'catalog' });
}

export async function readDr(release: Release): Promise<IstioObject> {
  return getIstio(release.kc, { kind: 'DestinationRule', namespace: release.ns, name: 'catalog' });
}

export function routesOf(vs: IstioObject): HttpRoute[] {
  return ((vs.spec?.['http'] as HttpRoute[] | undefined) ?? []);
}

export function stateOf(vs: IstioObject): RolloutState | undefined {
  const annotations = (vs.metadata['annotations'] ?? {}) as Record<string, string>;
  const text = annotations[STATE_ANNOTATION];
  return text === undefined ? undefined : (JSON.parse(text) as RolloutState);
}

/** Who the canary's Lease names as driving the rollout (undefined: nobody, or no Lease yet), read raw. */
export async function leaseHolder(release: Release): Promise<string | undefined> {
  const api = release.kc.makeApiClient(CustomObjectsApi);
  try {
    const lease = (await api.getNamespacedCustomObject({ group: 'coordination.k8s.io', version: 'v1', namespace: release.ns, plural: 'leases', name: `istio-canary.${CANARY_NAME}` })) as {
      spec?: { holderIdentity?: string };
    };
    return lease.spec?.holderIdentity || undefined;
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return undefined;
    throw e;
  }
}

/** Traffic of the owned route as the cluster has it, read independently of the product's readers. */
export interface ObservedTraffic {
  stableWeight: number;
  canaryWeight: number;
  /** Any route (other than the owned one) with a match on the cohort header. */
  headerRule: boolean;
  /** Mirror percentage to the canary on the owned route (0 when none). */
  mirrorPercentage: number;
}

function weightTo(route: HttpRoute, subset: string): number {
  const destinations = route.route ?? [];
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? (destinations.length === 1 ? 100 : 0)), 0);
  const to = destinations.filter((d) => d.destination.subset === subset).reduce((sum, d) => sum + (d.weight ?? (destinations.length === 1 ? 100 : 0)), 0);
  return total === 0 ? 0 : (100 * to) / total;
}

export function observedTraffic(vs: IstioObject): ObservedTraffic {
  const routes = routesOf(vs);
  const owned = routes.find((r) => r.name === 'primary');
  if (owned === undefined) throw new Error(`VirtualService ${vs.metadata.namespace}/${vs.metadata.name} lost its primary route`);
  const mirrorsCanary = owned.mirror?.subset === CANARY_SUBSET;
  return {
    stableWeight: weightTo(owned, STABLE_SUBSET),
    canaryWeight: weightTo(owned, CANARY_SUBSET),
    headerRule: routes.some((r) => r !== owned && JSON.stringify(r.match ?? []).includes(COHORT_HEADER)),
    mirrorPercentage: mirrorsCanary ? (owned.mirrorPercentage?.value ?? 100) : 0,
  };
}

/** Rolled back as the cluster shows it: owned route all on stable, no header rule, no mirror, foreign route unchanged. */
export function assertOnStable(release: Release, vs: IstioObject): void {
  const traffic = observedTraffic(vs);
  const routes = routesOf(vs);
  const problems: string[] = [];
  if (traffic.canaryWeight !== 0 || traffic.stableWeight !== 100) problems.push(`owned route not all on stable: ${JSON.stringify(traffic)}`);
  if (traffic.headerRule) problems.push('a header rule is left');
  if (routes.some((r) => r.mirror !== undefined || r.mirrors !== undefined)) problems.push('a mirror is left');
  problems.push(...foreignRouteProblems(release, vs));
  if (problems.length > 0) throw new Error(`${release.ns}: ${problems.join('; ')}\n${JSON.stringify(routes)}`);
}

/** Promoted as the cluster shows it: owned route all on the canary, no header rule, no mirror. */
export function assertPromoted(release: Release, vs: IstioObject): void {
  const traffic = observedTraffic(vs);
  const problems: string[] = [];
  if (traffic.canaryWeight !== 100) problems.push(`owned route not all on the canary: ${JSON.stringify(traffic)}`);
  if (traffic.headerRule) problems.push('a header rule is left');
  if (routesOf(vs).some((r) => r.mirror !== undefined || r.mirrors !== undefined)) problems.push('a mirror is left');
  problems.push(...foreignRouteProblems(release, vs));
  if (problems.length > 0) throw new Error(`${release.ns}: ${problems.join('; ')}\n${JSON.stringify(routesOf(vs))}`);
}

function foreignRouteProblems(release: Release, vs: IstioObject): string[] {
  const admin = routesOf(vs).find((r) => r.name === 'admin');
  return canonical(admin) === canonical(release.adminRoute) ? [] : [`the admin route changed: ${JSON.stringify(admin)}`];
}

/** JSON with object keys sorted: the API server does not keep the order keys were written in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Waits until the VirtualService satisfies `predicate`; returns it. */
export async function waitForVs(release: Release, what: string, predicate: (vs: IstioObject) => boolean, timeoutMs = 60_000): Promise<IstioObject> {
  return waitFor(async () => {
    const vs = await readVs(release);
    return predicate(vs) ? vs : undefined;
  }, { timeoutMs, intervalMs: 100, what: `${release.ns}: ${what}` });
}

/** Waits until the recorded state is in-progress at the stage with this id (e.g. `02-weight-10`). */
export function waitForStage(release: Release, stageId: string, timeoutMs = 60_000): Promise<IstioObject> {
  return waitForVs(release, `stage ${stageId} in progress`, (vs) => {
    const state = stateOf(vs);
    return state?.status === 'in-progress' && state.history.at(-1)?.stage === stageId;
  }, timeoutMs);
}

/** Waits until the simulator routes with this very VirtualService (its resourceVersion or later). */
export async function waitForSimulator(release: Release, vs: IstioObject): Promise<void> {
  const name = `${release.ns}/catalog`;
  const wanted = Number(vs.metadata.resourceVersion);
  await waitFor(async () => {
    const config = await release.sim.config();
    const seen = config.virtualServices.find((o) => o.name === name);
    return seen !== undefined && Number(seen.resourceVersion) >= wanted;
  }, { timeoutMs: 15_000, what: `the simulator to route with ${name}@${wanted}` });
}

/** `run` to paused stage `index` (after `advance` past the previous paused stage); returns the
 * VirtualService once the simulator routes with it. */
export async function runToPausedStage(release: Release, index: number): Promise<IstioObject> {
  if (index > 0) expect((await runCli(release, 'advance')).code).toBe(0);
  const run = await runCli(release, 'run');
  expect(run.code, run.stderr).toBe(0);
  const vs = await readVs(release);
  expect(stateOf(vs)).toMatchObject({ status: 'paused', stageIndex: index });
  await waitForSimulator(release, vs);
  return vs;
}

/** Live requests v2 received, read twice `windowMs` apart: equal when no live traffic reaches it. */
export async function canaryLiveGrowth(release: Release, windowMs: number): Promise<{ before: number; after: number; v1Growth: number }> {
  const first = await release.sim.stats(release.ns, 'catalog');
  await new Promise((r) => setTimeout(r, windowMs));
  const second = await release.sim.stats(release.ns, 'catalog');
  return { before: live(first, 'v2'), after: live(second, 'v2'), v1Growth: live(second, 'v1') - live(first, 'v1') };
}

export function live(stats: ServiceStats, version: string): number {
  return stats.versions[version]?.live ?? 0;
}

export function mirrored(stats: ServiceStats, version: string): number {
  return stats.versions[version]?.mirrored ?? 0;
}
