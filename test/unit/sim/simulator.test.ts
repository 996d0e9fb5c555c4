import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import { DURATION_BUCKETS_MS } from '../../sim/telemetry.ts';
import type { ServiceEntry, Sidecar } from '../../../src/istio/types.ts';
import type { World } from '../../sim/world.ts';
import { parseExposition, sumWhere } from './exposition.ts';
import { CATALOG, NS, demoWorld, destinationRule, serviceEntry, to, virtualService } from './fixtures.ts';

const REQ = 'istio_requests_total';

function simulator(world: World, config: Parameters<Simulator['setConfig']>[0] | undefined, seed = 1): Simulator {
  const sim = new Simulator(world, seed);
  if (config) sim.setConfig(config);
  return sim;
}

function catalog(sim: Simulator) {
  return sim.service(NS, 'catalog')!;
}

function withLoad(world: World, load: Partial<World['services'][0]['load']>): World {
  const s = world.services[0]!;
  return { ...world, services: [{ ...s, load: { ...s.load, from: `${NS}/webapp`, ...load } }] };
}

const config = (http: Parameters<typeof virtualService>[0], extra = {}) => ({
  virtualServices: [virtualService(http, extra)],
  destinationRules: [destinationRule()],
  serviceEntries: [],
});

describe('telemetry as Istio reports it', () => {
  it('a served request is counted once by each proxy with the destination workload and version', () => {
    const sim = simulator(withLoad(demoWorld(), {}), config([{ route: [to('version-v2')] }]));
    sim.send(catalog(sim), 10);
    const samples = parseExposition(sim.telemetry.render());
    for (const reporter of ['source', 'destination']) {
      expect(
        sumWhere(samples, REQ, {
          reporter,
          source_workload: 'webapp',
          destination_workload: 'catalog-v2',
          destination_version: 'v2',
          destination_service: CATALOG,
          destination_service_name: 'catalog',
          destination_service_namespace: NS,
          response_code: '200',
        }),
      ).toBe(10);
    }
    expect(sumWhere(samples, REQ, { reporter: 'destination', connection_security_policy: 'mutual_tls' })).toBe(10);
  });

  it('mirrored requests appear only under reporter="destination"', () => {
    const sim = simulator(withLoad(demoWorld(), {}), config([{ route: [to('version-v1')], mirror: { host: 'catalog', subset: 'version-v2' } }]));
    sim.send(catalog(sim), 20);
    const samples = parseExposition(sim.telemetry.render());
    expect(sumWhere(samples, REQ, { reporter: 'destination', destination_workload: 'catalog-v2' })).toBe(20);
    expect(sumWhere(samples, REQ, { reporter: 'source', destination_workload: 'catalog-v2' })).toBe(0);
    expect(sumWhere(samples, REQ, { reporter: 'source', destination_workload: 'catalog-v1' })).toBe(20);
    const stats = sim.statsFor(`${NS}/catalog`);
    expect(stats.versions.v2).toMatchObject({ live: 0, mirrored: 20 });
    expect(stats.versions.v1).toMatchObject({ live: 20, mirrored: 0 });
  });

  it('a missing subset is a 503 NC seen only by the source, destination labels unknown', () => {
    const sim = simulator(withLoad(demoWorld(), {}), config([{ route: [to('version-v3')] }]));
    sim.send(catalog(sim), 5);
    const samples = parseExposition(sim.telemetry.render());
    expect(sumWhere(samples, REQ, { reporter: 'source', response_code: '503', response_flags: 'NC', destination_workload: 'unknown', destination_version: 'unknown', destination_service: CATALOG })).toBe(5);
    expect(sumWhere(samples, REQ, { reporter: 'destination' })).toBe(0);
    expect(sim.statsFor(`${NS}/catalog`).local).toEqual({ '503 NC': 5 });
  });

  it('an empty subset is a 503 UH seen only by the source, with the service known', () => {
    const sim = simulator(withLoad(demoWorld({ v2Replicas: 0 }), {}), config([{ route: [to('version-v2')] }]));
    sim.send(catalog(sim), 4);
    const samples = parseExposition(sim.telemetry.render());
    expect(sumWhere(samples, REQ, { reporter: 'source', response_code: '503', response_flags: 'UH', destination_service_name: 'catalog', destination_service_namespace: NS, destination_workload: 'unknown' })).toBe(4);
    expect(sumWhere(samples, REQ, { reporter: 'destination' })).toBe(0);
  });

  it('a profile error ratio shows up in the response codes (binomial 99.9 % band)', () => {
    const world = withLoad(demoWorld(), {});
    world.services[0]!.versions[1]!.profile = { ...world.services[0]!.versions[1]!.profile, errorRatio: 0.3, errorCode: 503 };
    const sim = simulator(world, config([{ route: [to('version-v2')] }]), 9);
    const n = 5000;
    sim.send(catalog(sim), n);
    const samples = parseExposition(sim.telemetry.render());
    const errors = sumWhere(samples, REQ, { reporter: 'destination', response_code: '503', response_flags: '-' });
    expect(Math.abs(errors - 0.3 * n)).toBeLessThan(3.29 * Math.sqrt(n * 0.3 * 0.7));
  });

  it('histogram buckets are cumulative over Istio default buckets, +Inf equals the count', () => {
    const sim = simulator(withLoad(demoWorld(), {}), config([{ route: [to('version-v1')] }]));
    sim.send(catalog(sim), 200);
    const samples = parseExposition(sim.telemetry.render());
    const where = { reporter: 'destination', destination_workload: 'catalog-v1' };
    const buckets = samples.filter((s) => s.name === 'istio_request_duration_milliseconds_bucket' && s.labels.reporter === 'destination' && s.labels.destination_workload === 'catalog-v1');
    expect(buckets.map((b) => b.labels.le)).toEqual([...DURATION_BUCKETS_MS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.value).toBe(200);
    expect(sumWhere(samples, 'istio_request_duration_milliseconds_count', where)).toBe(200);
    // Median 20 ms, p99 80 ms: most requests fall in (10, 50].
    const le = (x: string) => buckets.find((b) => b.labels.le === x)!.value;
    expect(le('50') - le('10')).toBeGreaterThan(150);
  });

  it('traffic sent via a gateway is reported with the gateway as source', () => {
    const world = withLoad(demoWorld(), { via: { gateway: `${NS}/catalog-gateway`, host: 'catalog.istioinaction.io' } });
    const sim = simulator(world, config([{ route: [to('version-v1')] }], { hosts: ['catalog.istioinaction.io'], gateways: ['catalog-gateway'] }));
    sim.send(catalog(sim), 3);
    const samples = parseExposition(sim.telemetry.render());
    expect(sumWhere(samples, REQ, { reporter: 'source', source_workload: 'istio-ingressgateway', source_workload_namespace: 'istio-system', destination_workload: 'catalog-v1' })).toBe(3);
  });
});

describe('outbound calls', () => {
  function callingWorld(policy: 'ALLOW_ANY' | 'REGISTRY_ONLY'): World {
    const world = withLoad(demoWorld({ policy }), {});
    world.services[0]!.versions[1]!.profile.outbound = [{ host: 'jsonplaceholder.typicode.com', port: 80, share: 1 }];
    return world;
  }

  it.each([
    ['ALLOW_ANY', false, '200', 'PassthroughCluster', 'unknown'],
    ['REGISTRY_ONLY', false, '502', 'BlackHoleCluster', 'unknown'],
    ['REGISTRY_ONLY', true, '200', 'jsonplaceholder.typicode.com', NS],
  ] as const)('%s, ServiceEntry %s: %s via %s', (policy, withEntry, code, serviceName, serviceNamespace) => {
    const cfg = { ...config([{ route: [to('version-v2')] }]), serviceEntries: withEntry ? [serviceEntry('jsonplaceholder.typicode.com')] : [] };
    const sim = simulator(callingWorld(policy), cfg);
    sim.send(catalog(sim), 7);
    const samples = parseExposition(sim.telemetry.render());
    const where = { reporter: 'source', source_workload: 'catalog-v2', destination_service: 'jsonplaceholder.typicode.com' };
    // Istio's stats filter: no response flag on block_all's direct 502 nor on Passthrough (istio.io blog
    // "Monitoring blocked and passthrough external service traffic"); the client's proxy alone reports.
    expect(sumWhere(samples, REQ, { ...where, response_code: code, response_flags: '-', destination_service_name: serviceName, destination_service_namespace: serviceNamespace })).toBe(7);
    expect(sumWhere(samples, REQ, { reporter: 'destination', destination_service: 'jsonplaceholder.typicode.com' })).toBe(0);
  });

  it('a namespace policy overrides the mesh default, like a Sidecar', () => {
    const world = { ...callingWorld('ALLOW_ANY'), namespacePolicies: { [NS]: 'REGISTRY_ONLY' as const } };
    const sim = simulator(world, config([{ route: [to('version-v2')] }]));
    sim.send(catalog(sim), 2);
    expect(sim.statsFor(`${NS}/catalog`).outbound).toEqual({ 'v2 jsonplaceholder.typicode.com BlackHoleCluster 502': 2 });
  });
});

describe('outbound policy from Sidecars, and which ServiceEntry applies', () => {
  const HOST = 'jsonplaceholder.typicode.com';
  function callingWorld(policy: 'ALLOW_ANY' | 'REGISTRY_ONLY', port = 80): World {
    const world = withLoad(demoWorld({ policy }), {});
    for (const v of world.services[0]!.versions) v.profile.outbound = [{ host: HOST, port, share: 1 }];
    return world;
  }
  function sidecar(name: string, namespace: string, mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' | undefined, selector?: Record<string, string>, created = '2026-01-01T00:00:00Z'): Sidecar {
    const spec: Sidecar['spec'] = {};
    if (mode) spec.outboundTrafficPolicy = { mode };
    if (selector) spec.workloadSelector = { labels: selector };
    return { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name, namespace, creationTimestamp: created }, spec };
  }
  function outbound(world: World, extra: { sidecars?: Sidecar[]; serviceEntries?: ServiceEntry[]; outboundMode?: 'ALLOW_ANY' | 'REGISTRY_ONLY' }) {
    const sim = simulator(world, { ...config([{ route: [to('version-v1', 50), to('version-v2', 50)] }]), serviceEntries: [], ...extra });
    sim.send(catalog(sim), 40);
    return Object.keys(sim.statsFor(`${NS}/catalog`).outbound).sort();
  }

  it('a namespace-wide Sidecar overrides the mesh config for every workload of its namespace', () => {
    expect(outbound(callingWorld('ALLOW_ANY'), { sidecars: [sidecar('default', NS, 'REGISTRY_ONLY')] })).toEqual([
      `v1 ${HOST} BlackHoleCluster 502`,
      `v2 ${HOST} BlackHoleCluster 502`,
    ]);
    expect(outbound(callingWorld('REGISTRY_ONLY'), { sidecars: [sidecar('default', NS, 'ALLOW_ANY')] })).toEqual([
      `v1 ${HOST} PassthroughCluster 200`,
      `v2 ${HOST} PassthroughCluster 200`,
    ]);
  });

  it('a Sidecar selecting the workload beats the namespace-wide one; another namespace\'s Sidecar does nothing', () => {
    const sidecars = [sidecar('default', NS, 'ALLOW_ANY'), sidecar('v2-only', NS, 'REGISTRY_ONLY', { version: 'v2' }), sidecar('elsewhere', 'other', 'REGISTRY_ONLY')];
    expect(outbound(callingWorld('ALLOW_ANY'), { sidecars })).toEqual([`v1 ${HOST} PassthroughCluster 200`, `v2 ${HOST} BlackHoleCluster 502`]);
  });

  it('a selector naming a label the pods lack does not apply', () => {
    expect(outbound(callingWorld('ALLOW_ANY'), { sidecars: [sidecar('tier', NS, 'REGISTRY_ONLY', { tier: 'web' })] })).toEqual([
      `v1 ${HOST} PassthroughCluster 200`,
      `v2 ${HOST} PassthroughCluster 200`,
    ]);
  });

  it("the root namespace's Sidecar applies where the namespace has none; one without a mode keeps the mesh config's", () => {
    expect(outbound(callingWorld('ALLOW_ANY'), { sidecars: [sidecar('default', 'istio-system', 'REGISTRY_ONLY')] })).toEqual([
      `v1 ${HOST} BlackHoleCluster 502`,
      `v2 ${HOST} BlackHoleCluster 502`,
    ]);
    const world = { ...callingWorld('ALLOW_ANY'), namespacePolicies: { [NS]: 'REGISTRY_ONLY' as const } };
    expect(outbound(world, { sidecars: [sidecar('default', NS, undefined)] })).toEqual([`v1 ${HOST} PassthroughCluster 200`, `v2 ${HOST} PassthroughCluster 200`]);
  });

  it("the mesh config's mode (ConfigMap istio) replaces the world's mesh-wide one; Sidecars still override it", () => {
    expect(outbound(callingWorld('ALLOW_ANY'), { outboundMode: 'REGISTRY_ONLY' })).toEqual([`v1 ${HOST} BlackHoleCluster 502`, `v2 ${HOST} BlackHoleCluster 502`]);
    expect(outbound(callingWorld('ALLOW_ANY'), { outboundMode: 'REGISTRY_ONLY', sidecars: [sidecar('v1', NS, 'ALLOW_ANY', { version: 'v1' })] })).toEqual([
      `v1 ${HOST} PassthroughCluster 200`,
      `v2 ${HOST} BlackHoleCluster 502`,
    ]);
  });

  it('a ServiceEntry counts only when exported to the caller and listing the port called; wildcards cover subdomains', () => {
    const hidden = { ...serviceEntry(HOST), metadata: { name: 'hidden', namespace: 'other' }, spec: { ...serviceEntry(HOST).spec, exportTo: ['.'] } };
    expect(outbound(callingWorld('REGISTRY_ONLY'), { serviceEntries: [hidden] })).toEqual([`v1 ${HOST} BlackHoleCluster 502`, `v2 ${HOST} BlackHoleCluster 502`]);
    expect(outbound(callingWorld('REGISTRY_ONLY', 443), { serviceEntries: [serviceEntry(HOST)] })).toEqual([`v1 ${HOST} BlackHoleCluster 502`, `v2 ${HOST} BlackHoleCluster 502`]);
    const wildcard = serviceEntry('*.typicode.com');
    expect(outbound(callingWorld('REGISTRY_ONLY'), { serviceEntries: [wildcard] })).toEqual([`v1 ${HOST} ServiceEntry 200`, `v2 ${HOST} ServiceEntry 200`]);
  });
});

describe('determinism and isolation', () => {
  const run = (seed: number) => {
    const sim = simulator(withLoad(demoWorld(), { headers: [{ name: 'x-istio-cohort', value: 'internal', share: 0.3 }] }), config([{ route: [to('version-v1', 50), to('version-v2', 50)] }]), seed);
    sim.send(catalog(sim), 500);
    return sim.telemetry.render().replace(/_sum\{[^}]*\} \S+/g, '');
  };

  it('the same seed gives the same metrics; another seed does not', () => {
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });

  it('resetting one service leaves other services series alone', () => {
    const world = withLoad(demoWorld(), {});
    const other = { ...world.services[0]!, namespace: 'other', versions: world.services[0]!.versions.map((v) => ({ ...v, workloadNamespace: 'other' })) };
    const sim = simulator({ ...world, services: [...world.services, other] }, undefined);
    sim.send(catalog(sim), 3);
    sim.send(sim.service('other', 'catalog')!, 3);
    sim.reset(`${NS}/catalog`);
    const samples = parseExposition(sim.telemetry.render());
    expect(sumWhere(samples, REQ, { destination_workload_namespace: NS })).toBe(0);
    expect(sumWhere(samples, REQ, { reporter: 'destination', destination_workload_namespace: 'other' })).toBe(3);
    expect(sim.statsFor(`${NS}/catalog`).requests).toBe(0);
  });
});
