// What the release benches share: the local mesh, a namespace of their own with a simulated
// catalog v1/v2 under load, the VirtualService and DestinationRule a user would have before a
// release, a Canary spec over them, and the statistics the figures are printed with.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { createKubernetesRouting } from '../src/adapters/kubernetes.ts';
import type { Logger, RoutingPort } from '../src/core/ports.ts';
import type { DestinationRule, VirtualService } from '../src/istio/types.ts';
import type { CanarySpec, CheckSpec, StageSpec } from '../src/spec/types.ts';
import { readMeshEnv, startMesh, type MeshEnv } from '../test/env/mesh.ts';
import { SimulatorClient } from '../test/sim/client.ts';

export const SERVICE = 'catalog';

/** The running local mesh (started, or reused, when needed). BENCH_MESH_DIR: a mesh of the bench's
 * own in that state directory, safe from other users of the shared one stopping it mid-run. */
export async function meshEnv(): Promise<MeshEnv> {
  const stateDir = process.env.BENCH_MESH_DIR || undefined;
  const env = readMeshEnv(stateDir);
  if (env && (await new SimulatorClient(env.simulatorUrl).healthy())) return env;
  console.error(`starting the local mesh in ${stateDir ?? '.mesh/'} ...`);
  return (await startMesh({ stateDir })).env;
}

/** A namespace no test uses; the local API server needs no Namespace object. */
export function benchNamespace(prefix: string): string {
  return `bench-${prefix}-${randomBytes(3).toString('hex')}`;
}

export const quietLog: Logger = process.env.BENCH_VERBOSE
  ? { info: (m) => console.error(m), warning: (m) => console.error(`warning: ${m}`), error: (m) => console.error(`error: ${m}`) }
  : { info: () => {}, warning: () => {}, error: () => {} };

export function routingFor(env: MeshEnv): RoutingPort {
  return createKubernetesRouting({ kubeconfigPath: env.kubeconfig, deadlineMs: 30_000 });
}

/** catalog v1 (healthy) and v2 (healthy until a bench says otherwise) under timed load, 10 % with the dark-launch header. */
export async function putCatalog(sim: SimulatorClient, namespace: string, requestsPerSecond: number): Promise<void> {
  const profile = { errorRatio: 0, latency: { medianMs: 20, p99Ms: 80 } };
  await sim.putService(namespace, SERVICE, {
    versions: [
      { name: 'v1', labels: { app: SERVICE, version: 'v1' }, readyReplicas: 2, profile },
      { name: 'v2', labels: { app: SERVICE, version: 'v2' }, readyReplicas: 2, profile },
    ],
    load: { requestsPerSecond, from: `${namespace}/webapp`, uri: '/items', headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.1 }] },
  });
}

/** The objects before a release: all traffic on v1 through the route `primary`. */
export function initialObjects(namespace: string): { vs: VirtualService; dr: DestinationRule } {
  return {
    vs: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: SERVICE, namespace },
      spec: { hosts: [SERVICE], gateways: ['mesh'], http: [{ name: 'primary', route: [{ destination: { host: SERVICE, subset: 'version-v1' } }] }] },
    },
    dr: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: SERVICE, namespace },
      spec: { host: SERVICE, subsets: [{ name: 'version-v1', labels: { version: 'v1' } }] },
    },
  };
}

export async function createInitialObjects(routing: RoutingPort, namespace: string): Promise<void> {
  const { vs, dr } = initialObjects(namespace);
  await routing.write(dr);
  await routing.write(vs);
}

/** Deletes what a bench wrote in its namespace (the VirtualService and DestinationRule), so the shared mesh does not keep them. */
export async function removeObjects(env: MeshEnv, namespace: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(env.kubeconfig);
  const api = kc.makeApiClient(CustomObjectsApi);
  for (const plural of ['virtualservices', 'destinationrules']) {
    await api.deleteNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace, plural, name: SERVICE }).catch(() => undefined);
  }
}

export function successRate(overrides: Partial<CheckSpec> = {}): CheckSpec {
  return { name: 'success-rate', type: 'success-rate', min: 99, compare: 'absolute', minRequests: 5, noData: 'hold', failureLimit: 1, ...overrides };
}

/** The five default stages with one bake each. */
export function defaultStages(bake: number): StageSpec[] {
  const common = { bake, pause: false };
  return [
    { kind: 'darkLaunch', headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true, ...common },
    { kind: 'mirror', percentage: 100, ...common },
    { kind: 'weight', weight: 10, ...common },
    { kind: 'weight', weight: 50, ...common },
    { kind: 'weight', weight: 100, ...common },
  ];
}

export function benchSpec(namespace: string, options: { stages: StageSpec[]; settle: number; interval?: number; prometheusUrl?: string; checks?: CheckSpec[] }): CanarySpec {
  const spec: CanarySpec = {
    name: SERVICE,
    namespace,
    virtualService: SERVICE,
    route: 'primary',
    destinationRule: SERVICE,
    host: SERVICE,
    stable: { subset: 'version-v1', labels: { version: 'v1' }, workload: `${SERVICE}-v1`, version: 'v1' },
    canary: { subset: 'version-v2', labels: { version: 'v2' }, workload: `${SERVICE}-v2`, version: 'v2' },
    stages: options.stages,
    bake: options.stages[0]?.bake ?? 0,
    settle: options.settle,
    source: {},
  };
  if (options.interval !== undefined) {
    spec.analysis = {
      interval: options.interval,
      prometheus: { url: options.prometheusUrl, headers: {} },
      checks: options.checks ?? [successRate()],
      failureLimit: 1,
      alpha: 0.05,
    };
  }
  return spec;
}

/** Canary weight of the owned route as stored (0 when the canary subset is not routed). */
export function canaryWeight(vs: VirtualService | undefined, canarySubset = 'version-v2'): number | undefined {
  const route = vs?.spec.http?.find((r) => r.name === 'primary');
  if (!route) return undefined;
  const destinations = route.route ?? [];
  const canary = destinations.find((d) => d.destination.subset === canarySubset);
  if (!canary) return 0;
  return destinations.length === 1 ? 100 : (canary.weight ?? 0);
}

export { median, quantile } from './stats.ts';

export function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
export const ratio = (x: number) => x.toFixed(2);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
