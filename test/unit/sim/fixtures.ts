// Small builders for the simulator's unit tests: the demo world and Istio objects as data.

import type { DestinationRule, HttpRoute, ServiceEntry, VirtualService } from '../../../src/istio/types.ts';
import { buildTable, type MeshConfig, type RoutingTable } from '../../sim/mesh-config.ts';
import { RoundRobin, type RouteContext, type RouteRequest } from '../../sim/router.ts';
import { seededRandom } from '../../sim/rng.ts';
import { parseWorldText } from '../../sim/world-parse.ts';
import type { World } from '../../sim/world.ts';

export const NS = 'istioinaction';
export const CATALOG = `catalog.${NS}.svc.cluster.local`;

export function demoWorld(overrides: { v2Replicas?: number; policy?: 'ALLOW_ANY' | 'REGISTRY_ONLY' } = {}): World {
  return parseWorldText(
    'fixture.yaml',
    JSON.stringify({
      outboundTrafficPolicy: overrides.policy ?? 'ALLOW_ANY',
      gateways: [{ id: `${NS}/catalog-gateway` }],
      services: [
        {
          namespace: NS,
          name: 'catalog',
          versions: [
            { name: 'v1', labels: { app: 'catalog', version: 'v1' }, readyReplicas: 2 },
            { name: 'v2', labels: { app: 'catalog', version: 'v2' }, readyReplicas: overrides.v2Replicas ?? 1 },
          ],
        },
      ],
    }),
  );
}

export function virtualService(http: HttpRoute[], extra: Partial<VirtualService['spec']> = {}, name = 'catalog'): VirtualService {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: NS }, spec: { hosts: ['catalog'], http, ...extra } };
}

export function destinationRule(subsets: Array<[string, string]> = [['version-v1', 'v1'], ['version-v2', 'v2']]): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace: NS },
    spec: { host: 'catalog', subsets: subsets.map(([name, version]) => ({ name, labels: { version } })) },
  };
}

export function serviceEntry(host: string): ServiceEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: host.replaceAll('.', '-'), namespace: NS },
    spec: { hosts: [host], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS', location: 'MESH_EXTERNAL' },
  };
}

export function to(subset: string, weight?: number): { destination: { host: string; subset: string }; weight?: number } {
  return weight === undefined ? { destination: { host: 'catalog', subset } } : { destination: { host: 'catalog', subset }, weight };
}

export function context(world: World, config: Partial<MeshConfig>, seed = 1): RouteContext {
  const table: RoutingTable = buildTable(world, { virtualServices: [], destinationRules: [], serviceEntries: [], ...config });
  return { table, random: seededRandom(seed), lb: new RoundRobin() };
}

export function meshRequest(headers: Record<string, string> = {}, uri = '/items', host = CATALOG): RouteRequest {
  return { host, headers, uri, method: 'GET', authority: host, sourceNamespace: NS, gateway: 'mesh' };
}
