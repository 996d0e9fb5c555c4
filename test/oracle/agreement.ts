// One routing decision in a form both routers can be read into: the simulator's route choice and
// the route pilot generated (through the oracle), so the differential tests compare like with like.
// A decision is where a request goes (clusters with their share of the traffic and whether the
// client's sidecar has that cluster), what it is mirrored to (cluster and percentage to four
// decimals), a local reply (redirect, direct response), or no route.

import type { DestinationRule, ServiceEntry, VirtualService } from '../../src/istio/types.ts';
import type { HTTPRoute, RouteParentStatus } from '../../src/routing/http-route/types.ts';
import type { KubeGateway, ReferenceGrant } from '../sim/gateway-api.ts';
import { buildTable, type RoutingTable } from '../sim/mesh-config.ts';
import { chooseRoute, clusterName, type ClusterRef } from '../sim/route-choice.ts';
import { clusterVersions } from '../sim/router.ts';
import { parseWorldText } from '../sim/world-parse.ts';
import type { ProbeRequest } from './probe-requests.ts';

export interface ClusterShare {
  cluster: string;
  /** weight / total weight, as a reduced fraction. */
  share: string;
  /** The sidecar has this cluster; a request sent to a missing one gets 503 NC, a mirror is dropped. */
  exists: boolean;
}

export interface MirrorShare {
  cluster: string;
  percent: string;
  exists: boolean;
}

export type Normalized =
  | { kind: 'route'; clusters: ClusterShare[]; mirrors: MirrorShare[] }
  | { kind: 'redirect' | 'directResponse'; status: number }
  | { kind: 'none' };

export interface ServiceSpec {
  namespace: string;
  name: string;
  versions: readonly string[];
  /** The Service's ports (default [80]), named http-<port> on both sides. */
  ports?: readonly number[];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Each cluster's share of the traffic. Two entries for one cluster (a rule listing the same backend
 * twice: pilot keeps both weighted clusters, Envoy sends both shares to it) are one destination. */
function shares(listed: Array<{ cluster: string; weight: number; exists: boolean }>): ClusterShare[] {
  const byCluster = new Map<string, { cluster: string; weight: number; exists: boolean }>();
  for (const i of listed) {
    const seen = byCluster.get(i.cluster);
    if (seen) seen.weight += i.weight;
    else byCluster.set(i.cluster, { ...i });
  }
  const items = [...byCluster.values()];
  const total = items.reduce((n, i) => n + i.weight, 0);
  return items
    .map((i) => {
      const d = gcd(i.weight, total) || 1;
      return { cluster: i.cluster, share: `${i.weight / d}/${total / d}`, exists: i.exists };
    })
    .sort((a, b) => (a.cluster + a.share).localeCompare(b.cluster + b.share));
}

/** Millionths as a percentage with four decimals, the way the oracle prints Envoy's FractionalPercent. */
export function percentText(perMillion: number): string {
  return `${Math.floor(perMillion / 10_000)}.${String(perMillion % 10_000).padStart(4, '0')}`;
}

const OUTBOUND = new Set(['PassthroughCluster', 'BlackHoleCluster', 'InboundPassthroughCluster']);

// ---- the simulator's side ----

export interface SimulatorConfig {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  serviceEntries?: ServiceEntry[];
  httpRoutes?: HTTPRoute[];
  kubeGateways?: KubeGateway[];
  referenceGrants?: ReferenceGrant[];
}

export function simulatorTable(services: readonly ServiceSpec[], config: SimulatorConfig): RoutingTable {
  const world = parseWorldText(
    'differential-world.json',
    JSON.stringify({
      services: services.map((s) => ({
        namespace: s.namespace,
        name: s.name,
        versions: s.versions.map((v) => ({ name: v, labels: { app: s.name, version: v } })),
        ...(s.ports ? { ports: s.ports.map((port) => ({ port })) } : {}),
      })),
    }),
  );
  return buildTable(world, { serviceEntries: [], ...config });
}

/** `gateway`: `mesh` for a sidecar's request, or the `ns/name` of the Gateway the request enters by. */
export function simulatorDecision(table: RoutingTable, req: ProbeRequest, clientNamespace: string, gateway = 'mesh'): Normalized {
  const choice = chooseRoute(table, {
    host: req.host,
    uri: req.path,
    method: req.method,
    headers: req.headers,
    authority: req.host,
    sourceNamespace: clientNamespace,
    gateway,
    port: req.port ?? 80,
  });
  const exists = (c: ClusterRef) => clusterVersions(table, c, clientNamespace) !== undefined;
  switch (choice.kind) {
    case 'noRoute':
      return { kind: 'none' };
    case 'local':
      return { kind: choice.reply, status: choice.code };
    case 'outbound':
      return { kind: 'route', clusters: shares([{ cluster: 'PassthroughCluster', weight: 1, exists: true }]), mirrors: [] };
    case 'default':
      return { kind: 'route', clusters: shares([{ cluster: clusterName(choice.cluster), weight: 1, exists: exists(choice.cluster) }]), mirrors: [] };
    case 'route':
      return {
        kind: 'route',
        clusters: shares(choice.clusters.map((c) => ({ cluster: clusterName(c), weight: c.weight, exists: exists(c) }))),
        mirrors: choice.mirrors.map((m) => ({ cluster: clusterName(m), percent: percentText(m.perMillion), exists: exists(m) })),
      };
  }
}

// ---- pilot's side (the oracle's answer, test/oracle/case.go) ----

export interface OracleAction {
  kind: string;
  clusters?: Array<{ name: string; weight: number }>;
  mirrors?: Array<{ cluster: string; percent: string }>;
  status?: number;
}

export interface OracleAnswer {
  error?: string;
  rejected?: Array<{ kind: string; name: string; namespace: string; error: string }>;
  clusters?: string[];
  decisions?: Array<{ routeConfig: string; virtualHost?: string; route: number; action?: OracleAction }>;
  routes?: unknown[];
  /** The status Istio's controller wrote for each HTTPRoute of the case's Gateway API objects. */
  routeStatus?: Array<{ namespace: string; name: string; status: { parents?: RouteParentStatus[] } }>;
}

/** A route's status.parents without what varies between writers: transition times and the generation. */
export function comparableParents(parents: readonly RouteParentStatus[] | undefined) {
  return (parents ?? []).map((p) => ({
    // One key order for both sides (Go writes the struct's field order).
    parentRef: (['group', 'kind', 'namespace', 'name', 'sectionName', 'port'] as const).flatMap((k) => (p.parentRef[k] === undefined ? [] : [[k, p.parentRef[k]]])),
    controllerName: p.controllerName,
    // Istio joins the messages of several listeners in an order that varies between runs: compared as a set.
    conditions: (p.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: (c.message ?? '').split('; ').sort().join('; ') })),
  }));
}

/** Istio's status.parents for a route of the case (none written: none). */
export function oracleRouteStatus(answer: OracleAnswer, route: HTTPRoute) {
  const written = answer.routeStatus?.find((r) => r.namespace === (route.metadata.namespace ?? 'default') && r.name === route.metadata.name);
  return comparableParents(written?.status.parents);
}

export function oracleDecision(answer: OracleAnswer, index: number): Normalized {
  const d = answer.decisions?.[index];
  if (!d?.action) return { kind: 'none' };
  const known = new Set(answer.clusters ?? []);
  const exists = (name: string) => known.has(name) || OUTBOUND.has(name);
  const a = d.action;
  if (a.kind === 'redirect' || a.kind === 'directResponse') return { kind: a.kind, status: a.status ?? 0 };
  if (a.kind !== 'route') return { kind: 'none' };
  return {
    kind: 'route',
    clusters: shares((a.clusters ?? []).map((c) => ({ cluster: c.name, weight: c.weight, exists: exists(c.name) }))),
    // A policy of 0 per million mirrors nothing; the simulator leaves such mirrors out.
    mirrors: (a.mirrors ?? []).filter((m) => m.percent !== '0.0000').map((m) => ({ cluster: m.cluster, percent: m.percent, exists: exists(m.cluster) })),
  };
}

/** What else a case may carry: Gateway API objects for Istio's controller, and a gateway pod as the proxy. */
export interface CaseOptions {
  /** A YAML/JSON stream of Gateway API objects. */
  gatewayApi?: string;
  /** The proxy is a pod of this gateway Service (in the client namespace); requests name the listener's route table `http.<port>`. */
  gatewayService?: string;
}

/** The oracle's case (test/oracle/case.go) for these objects, services, client and requests. */
export function oracleCase(yamlStream: string, services: readonly ServiceSpec[], clientNamespace: string, requests: ProbeRequest[], options: CaseOptions = {}) {
  const { gatewayApi, gatewayService } = options;
  return {
    config: yamlStream,
    ...(gatewayApi === undefined ? {} : { gatewayApi }),
    services: services.map((s) => ({ name: s.name, namespace: s.namespace, ...(s.ports ? { ports: [...s.ports] } : {}) })),
    proxy: gatewayService === undefined ? { namespace: clientNamespace } : { namespace: clientNamespace, gatewayService },
    requests: requests.map((r) => {
      const port = r.port ?? 80;
      return { host: r.host, port, path: r.path, method: r.method, headers: r.headers, ...(gatewayService === undefined ? {} : { routeName: `http.${port}` }) };
    }),
  };
}
