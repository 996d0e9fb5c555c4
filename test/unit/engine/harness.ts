// A small world for engine tests: the seed's catalog VirtualService (plus a foreign route that must
// survive) and DestinationRule in a MemoryRouting, a fake clock, a scripted metrics backend that
// answers by the traffic the routing currently gives the canary.
import { executeCommand, type EngineCommand, type EngineContext, type EngineResult } from '../../../src/engine/engine.ts';
import { FakeClock, MemoryLog, MemoryReport, MemoryRouting, type MemoryRoutingOptions } from '../../../src/engine/memory.ts';
import { MemoryHolders } from '../../../src/engine/memory-holder.ts';
import type { MetricsPort, RoutingPort } from '../../../src/core/ports.ts';
import { FIELD_MANAGER, routeOwner } from '../../../src/adapters/kubernetes-owner.ts';
import { reportProgress } from '../../../src/app/report.ts';
import { decodeState } from '../../../src/core/state-codec.ts';
import { stateAnnotationKey, type Holder, type RolloutState } from '../../../src/core/state.ts';
import { MetricsError } from '../../../src/errors.ts';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import type { CanarySpec, CheckSpec, StageSpec } from '../../../src/spec/types.ts';
import { canarySpec } from '../../support/rollout-fixtures.ts';

export const NS = 'istioinaction';
export const BAKE = 60_000;
export const INTERVAL = 20_000;
export const HOLDER_TIMEOUT = 15 * 60_000;

/** A route the canary does not own (it sends to another service); every test checks it survives untouched. */
export const ADMIN_ROUTE: HttpRoute = {
  name: 'admin',
  match: [{ uri: { prefix: '/admin' } }],
  route: [{ destination: { host: 'catalog-admin' } }],
  timeout: '3s',
};

export function liveVirtualService(overrides: Partial<VirtualService['metadata']> = {}): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: NS, ...overrides },
    spec: {
      hosts: ['catalog'],
      gateways: ['mesh'],
      http: [structuredClone(ADMIN_ROUTE), { route: [{ destination: { host: 'catalog', subset: 'version-v1' } }] }],
    },
  };
}

export function liveDestinationRule(): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace: NS },
    spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }] },
  };
}

/** One custom check: the canary's health, 1 = good. No minimum of requests, so data is the value. */
export const HEALTH_CHECK: CheckSpec = {
  name: 'health',
  type: 'custom',
  query: 'canary_health{workload="{{ canaryWorkload }}"}',
  min: 1,
  compare: 'absolute',
  minRequests: 0,
  noData: 'fail',
  failureLimit: 1,
};

const stages: StageSpec[] = [
  { kind: 'darkLaunch', bake: BAKE, pause: false, headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true },
  { kind: 'mirror', bake: BAKE, pause: false, percentage: 50 },
  { kind: 'weight', bake: BAKE, pause: false, weight: 10 },
  { kind: 'weight', bake: BAKE, pause: false, weight: 50 },
];

export function spec(overrides: Partial<CanarySpec> = {}, check: Partial<CheckSpec> = {}): CanarySpec {
  return canarySpec({
    host: 'catalog',
    stages: structuredClone(stages),
    bake: BAKE,
    settle: 5_000,
    analysis: { interval: INTERVAL, prometheus: { headers: {} }, checks: [{ ...HEALTH_CHECK, ...check }], failureLimit: 1, alpha: 0.05 },
    ...overrides,
  });
}

/** What the owned route does for the canary, read from a VirtualService (independent of the engine). */
export interface Traffic {
  canaryWeight: number;
  mirror: number;
  header: boolean;
}

export function trafficOf(vs: VirtualService, canarySubset = 'version-v2'): Traffic {
  const routes = vs.spec.http ?? [];
  const owned = routes.find((r) => !r.match) ?? {};
  const toCanary = (r: HttpRoute) => (r.route ?? []).filter((d) => d.destination.subset === canarySubset);
  const canary = toCanary(owned);
  const weight = canary.length === 0 ? 0 : (owned.route ?? []).length === 1 ? 100 : (canary[0]?.weight ?? 0);
  const mirror = owned.mirror?.subset === canarySubset ? (owned.mirrorPercentage?.value ?? 100) : 0;
  const header = routes.some((r) => r.match && r.name !== ADMIN_ROUTE.name && toCanary(r).length > 0);
  return { canaryWeight: weight, mirror, header };
}

/** The canary's health now, or (`at`) as a metrics backend with history answers for a past moment. */
export type Health = (traffic: Traffic, clock: FakeClock, at?: number) => number | undefined | 'error';

export interface World {
  spec: CanarySpec;
  clock: FakeClock;
  routing: MemoryRouting;
  /** The holder records (apply mode's Lease). */
  holders: MemoryHolders;
  log: MemoryLog;
  report: MemoryReport;
  metrics: MetricsPort;
  /** Queries made, in order. */
  queries: string[];
  ctx: (overrides?: Partial<EngineContext>) => EngineContext;
  exec: (command: EngineCommand, overrides?: Partial<EngineContext>) => Promise<EngineResult>;
  vs: () => VirtualService;
  state: () => RolloutState | undefined;
  /** Who the holder record names now. */
  holder: () => Holder | undefined;
  traffic: () => Traffic;
  /** The canary's traffic after every VirtualService write, consecutive repeats folded. */
  written: () => Traffic[];
}

/** A port that does what `base` does, except for the methods given. */
export function routingWith(base: RoutingPort, overrides: Partial<RoutingPort>): RoutingPort {
  return {
    get: (ref) => base.get(ref),
    write: (object) => base.write(object),
    list: (kind, labels) => base.list(kind, labels),
    delete: (ref, resourceVersion) => base.delete(ref, resourceVersion),
    applied: (ref, desired, stored, signal) => base.applied(ref, desired, stored, signal),
    owner: (object) => base.owner(object),
    ...overrides,
  } as RoutingPort;
}

export function world(options: { spec?: CanarySpec; health?: Health; routing?: MemoryRoutingOptions; vs?: VirtualService; auto?: boolean } = {}): World {
  const theSpec = options.spec ?? spec();
  const clock = new FakeClock({ auto: options.auto ?? true });
  // Writes are recorded under the Kubernetes adapter's field manager and ownership is read the adapter's way.
  const routing = new MemoryRouting([options.vs ?? liveVirtualService(), liveDestinationRule()], { now: () => clock.now(), fieldManager: FIELD_MANAGER, owner: routeOwner, ...options.routing });
  const holders = new MemoryHolders();
  const log = new MemoryLog();
  const report = new MemoryReport();
  const queries: string[] = [];
  const health = options.health ?? (() => 1);
  const vs = () => routing.peek<VirtualService>('VirtualService', NS, 'catalog')!;
  const metricsAt = (at?: number): MetricsPort => ({
    query: async (promql) => {
      queries.push(promql);
      const value = health(trafficOf(vs()), clock, at);
      if (value === 'error') throw new MetricsError('Prometheus answered 503');
      return value;
    },
    // The engine tests judge custom checks, which query single numbers only.
    vector: async () => [],
    at: (past) => metricsAt(past),
  });
  const metrics = metricsAt();
  const ctx = (overrides: Partial<EngineContext> = {}): EngineContext => ({
    spec: theSpec,
    routing,
    holders,
    metrics,
    clock,
    log,
    progress: reportProgress([report], { log }),
    holder: { id: 'run-1', runUrl: 'https://github.com/acme/shop/actions/runs/1' },
    options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: false, forceConflicts: false },
    ...overrides,
  });
  const written = () => {
    const list = routing.history.filter((o): o is VirtualService => o.kind === 'VirtualService').map((o) => trafficOf(o));
    return list.filter((t, i) => i === 0 || JSON.stringify(t) !== JSON.stringify(list[i - 1]));
  };
  return {
    spec: theSpec,
    clock,
    routing,
    holders,
    log,
    report,
    metrics,
    queries,
    ctx,
    exec: (command, overrides) => executeCommand(ctx(overrides), command),
    vs,
    state: () => decodeState(vs(), stateAnnotationKey(theSpec.name)),
    holder: () => holders.peek(NS, theSpec.name).holder,
    traffic: () => trafficOf(vs()),
    written,
  };
}

/** The stable-only routing: what every rollback must leave. */
export const STABLE: Traffic = { canaryWeight: 0, mirror: 0, header: false };

/** The foreign route is still there, byte for byte. */
export function adminRouteOf(vs: VirtualService): HttpRoute | undefined {
  return vs.spec.http?.find((r) => r.name === ADMIN_ROUTE.name);
}
