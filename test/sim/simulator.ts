// The simulated data plane: turns requests from the load into routing decisions, responses,
// telemetry from both proxies, and per-service stats. Holds the world and the latest Istio
// config; everything time-driven lives in load.ts, everything HTTP in control-api.ts.

import { externalResponse, outboundCallsMade, respond } from './behaviour.ts';
import { buildTable, EMPTY_CONFIG, type MeshConfig, type RoutingTable } from './mesh-config.ts';
import { decideOutbound } from './outbound.ts';
import { deriveSeed, seededRandom, type Random } from './rng.ts';
import { RoundRobin, route, type RouteRequest, type Served } from './router.ts';
import { countLive, countLocal, countMirrored, countOutbound, emptyStats, type ServiceStats } from './stats.ts';
import { localLabels, outboundLabels, servedLabels, type Caller } from './telemetry-labels.ts';
import { Telemetry } from './telemetry.ts';
import { serviceFqdn, serviceKey, type Service, type World } from './world.ts';

export class Simulator {
  readonly telemetry = new Telemetry();
  private world: World;
  private config: MeshConfig = EMPTY_CONFIG;
  private table: RoutingTable;
  private readonly seed: number;
  private readonly randoms = new Map<string, Random>();
  private readonly stats = new Map<string, ServiceStats>();
  private readonly lb = new RoundRobin();

  constructor(world: World, seed: number) {
    this.world = world;
    this.seed = seed;
    this.table = buildTable(world, this.config);
  }

  get currentWorld(): World {
    return this.world;
  }

  get routingTable(): RoutingTable {
    return this.table;
  }

  get currentConfig(): MeshConfig {
    return this.config;
  }

  /** Told every new world (a Service added or removed): Istio re-resolves routes' references then. */
  onWorldChange?: (world: World) => void;

  /** Namespaces whose HTTPRoutes Istio's Gateway API controller does not reconcile (writes no status
   * for): istiod down or not serving them, as a test fault. Routing is not affected. */
  readonly silentGatewayController = new Set<string>();

  setWorld(world: World): void {
    this.world = world;
    this.table = buildTable(world, this.config);
    this.onWorldChange?.(world);
  }

  /** Stops or restarts the controller's status writes for one namespace; a restart reconciles at once. */
  setGatewayController(namespace: string, running: boolean): void {
    if (running) this.silentGatewayController.delete(namespace);
    else this.silentGatewayController.add(namespace);
    this.onWorldChange?.(this.world);
  }

  setConfig(config: MeshConfig): void {
    this.config = config;
    this.table = buildTable(this.world, config);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.world.services.find((s) => s.namespace === namespace && s.name === name);
  }

  statsFor(key: string): ServiceStats {
    let s = this.stats.get(key);
    if (!s) {
      s = emptyStats();
      this.stats.set(key, s);
    }
    return s;
  }

  /** Forget counts (stats and metric series) for one service, or for everything. */
  reset(key?: string): void {
    if (key === undefined) this.stats.clear();
    else this.stats.delete(key);
    this.telemetry.reset(key);
  }

  private randomFor(key: string): Random {
    let r = this.randoms.get(key);
    if (!r) {
      r = seededRandom(deriveSeed(this.seed, key));
      this.randoms.set(key, r);
    }
    return r;
  }

  /** Send `count` requests of a service's configured load shape, now. */
  send(service: Service, count: number): void {
    const key = serviceKey(service.namespace, service.name);
    const random = this.randomFor(key);
    const stats = this.statsFor(key);
    const caller = this.callerOf(service);
    for (let i = 0; i < count; i++) this.handle(key, service, caller, random, stats);
  }

  private callerOf(service: Service): Caller {
    const via = service.load.via;
    if (via) {
      const gw = this.table.gatewaysById.get(via.gateway);
      return { workload: gw?.workload ?? 'istio-ingressgateway', namespace: gw?.workloadNamespace ?? 'istio-system' };
    }
    const [namespace, workload] = service.load.from.split('/') as [string, string];
    return { workload, namespace };
  }

  private request(service: Service, caller: Caller, random: Random): RouteRequest {
    const load = service.load;
    const headers: Record<string, string> = {};
    for (const h of load.headers) if (random() < h.share) headers[h.name] = h.value;
    const host = load.via?.host ?? serviceFqdn(this.world, service.namespace, service.name);
    const port = load.via ? (load.via.port ?? 80) : load.port;
    return { host, headers, uri: load.uri, method: 'GET', authority: host, sourceNamespace: caller.namespace, gateway: load.via?.gateway ?? 'mesh', port };
  }

  private handle(key: string, service: Service, caller: Caller, random: Random, stats: ServiceStats): void {
    const req = this.request(service, caller, random);
    const decision = route({ table: this.table, random, lb: this.lb }, req);
    stats.requests++;
    const live = decision.live;
    // Behind a waypoint, the waypoint is the only L7 reporter (ztunnel reports TCP only); with
    // sidecars the client's reports `source` and the server's `destination`.
    const waypoint = service.dataPlane === 'waypoint' && req.gateway === 'mesh';
    if (live.kind === 'served') {
      const res = respond(live.version.profile, random);
      for (const reporter of waypoint ? (['waypoint'] as const) : (['destination', 'source'] as const)) {
        this.telemetry.record(key, servedLabels(reporter, caller, live, res.code), res.durationMs);
      }
      this.countByApp(key, live, req.method, res.code);
      countLive(stats, this.versionKey(service, live), res.code);
      this.callOut(key, live, random, stats, service);
    } else if (live.kind === 'local') {
      this.telemetry.record(key, localLabels(caller, live, req.host, waypoint ? 'waypoint' : 'source'), 0);
      countLocal(stats, live.code, live.flag);
    } else {
      const res = live.cluster === 'BlackHoleCluster' ? { code: live.code, durationMs: 0 } : externalResponse(random);
      this.telemetry.record(key, outboundLabels(caller, live, res.code), res.durationMs);
      countOutbound(stats, caller.workload, live.host, live.cluster, res.code);
    }
    for (const shadow of decision.mirrors) {
      // The client's proxy drops the shadow's response and does not report it; the canary's
      // sidecar does. Behind a waypoint nobody reports it: Istio's stats filter counts downstream
      // requests, a shadow is an upstream request of the waypoint, and the canary has no sidecar.
      const res = respond(shadow.version.profile, random);
      if (!waypoint) this.telemetry.record(key, servedLabels('destination', caller, shadow, res.code), res.durationMs);
      // The canary's own request counter sees the shadow like any request it serves.
      this.countByApp(key, shadow, req.method, res.code);
      countMirrored(stats, this.versionKey(service, shadow), res.code);
      this.callOut(key, shadow, random, stats, service);
    }
  }

  private countByApp(key: string, served: Served, method: string, code: number): void {
    this.telemetry.recordServedByApp(key, { namespace: served.version.workloadNamespace, workload: served.version.workload, method, code: String(code) });
  }

  /** Calls the serving version makes to hosts outside the mesh (mirrored copies make them too). */
  private callOut(key: string, served: Served, random: Random, stats: ServiceStats, owner: Service): void {
    const calls = outboundCallsMade(served.version.profile, random);
    if (calls.length === 0) return;
    const caller = { workload: served.version.workload, namespace: served.version.workloadNamespace };
    const pod = { namespace: caller.namespace, labels: served.version.labels };
    for (const call of calls) {
      const decision = decideOutbound(this.table, call.host, pod, call.port);
      const res = decision.cluster === 'BlackHoleCluster' ? { code: decision.code, durationMs: 0 } : externalResponse(random);
      this.telemetry.record(key, outboundLabels(caller, decision, res.code), res.durationMs);
      countOutbound(stats, this.versionKey(owner, served), call.host, decision.cluster, res.code);
    }
  }

  private versionKey(owner: Service, served: Served): string {
    return served.service === owner ? served.version.name : `${served.service.namespace}/${served.service.name}:${served.version.name}`;
  }
}
