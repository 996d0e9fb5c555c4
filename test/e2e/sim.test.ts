// The mesh simulator against the real stack: Istio objects applied to the API server change how
// it routes, and what it reports reaches Prometheus with Istio's labels.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { applyIstio, kubeConfig, meshEnv, uniqueNamespace, waitFor, type IstioObject } from '../env/cluster.ts';
import { chiSquareCritical, chiSquareStatistic } from '../sim/chi-square.ts';
import { SimulatorClient } from '../sim/client.ts';

const MANAGER = 'sim-e2e';
const COHORT = 'x-istio-cohort';

interface Route {
  match?: unknown[];
  route: Array<{ destination: { host: string; subset: string }; weight?: number }>;
  mirror?: { host: string; subset: string };
  mirrorPercentage?: { value: number };
}

function virtualService(namespace: string, http: Route[], extra: Record<string, unknown> = {}): IstioObject {
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace }, spec: { hosts: ['catalog'], http, ...extra } };
}

function destinationRule(namespace: string): IstioObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace },
    spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }, { name: 'version-v2', labels: { version: 'v2' } }] },
  };
}

const to = (subset: string, weight?: number) => ({ destination: { host: 'catalog', subset }, ...(weight === undefined ? {} : { weight }) });

/** Escape a PromQL double-quoted label value. */
function promString(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function selector(labels: Record<string, string>, extra = ''): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${promString(v)}`);
  if (extra) parts.push(extra);
  return `{${parts.join(',')}}`;
}

/** One scalar from an instant query, or undefined when the result is empty. */
async function promValue(query: string): Promise<number | undefined> {
  const url = `${meshEnv().prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`;
  const body = (await (await fetch(url)).json()) as { status: string; data: { result: Array<{ value: [number, string] }> } };
  if (body.status !== 'success') throw new Error(`prometheus query failed: ${query}`);
  const first = body.data.result[0];
  return first === undefined ? undefined : Number(first.value[1]);
}

describe('mesh simulator on the real stack', () => {
  let kc: KubeConfig;
  let sim: SimulatorClient;
  const namespaces: string[] = [];

  beforeAll(() => {
    kc = kubeConfig();
    sim = new SimulatorClient(meshEnv().simulatorUrl);
  });

  afterAll(async () => {
    for (const ns of namespaces) await sim.deleteService(ns, 'catalog').catch(() => undefined);
  });

  /** A namespace with catalog v1 (2 pods) and v2 (1 pod) and no timed load: tests send exact counts. */
  async function setup(prefix: string): Promise<string> {
    const ns = uniqueNamespace(prefix);
    namespaces.push(ns);
    await sim.putService(ns, 'catalog', {
      versions: [
        { name: 'v1', labels: { app: 'catalog', version: 'v1' }, readyReplicas: 2 },
        { name: 'v2', labels: { app: 'catalog', version: 'v2' }, readyReplicas: 1 },
      ],
      load: { from: `${ns}/webapp`, requestsPerSecond: 0 },
    });
    await apply(destinationRule(ns), 'destinationRules');
    return ns;
  }

  /** Apply through the API server and wait until the simulator routes with that very version. */
  async function apply(object: IstioObject, kind: 'virtualServices' | 'destinationRules'): Promise<void> {
    const applied = await applyIstio(kc, object, { fieldManager: MANAGER, force: true });
    const name = `${applied.metadata.namespace}/${applied.metadata.name}`;
    await waitFor(() => sim.sees(kind, name, applied.metadata.resourceVersion!), { timeoutMs: 15_000, what: `the simulator to see ${kind} ${name}` });
  }

  it('a VirtualService applied to the API server changes the observed split (chi-square)', async () => {
    const ns = await setup('sim-split');
    await apply(virtualService(ns, [{ route: [to('version-v1', 100), to('version-v2', 0)] }]), 'virtualServices');
    const before = await sim.send(ns, 'catalog', 500);
    expect(before.versions.v2).toBeUndefined();
    expect(before.versions.v1!.live).toBe(500);

    await apply(virtualService(ns, [{ route: [to('version-v1', 80), to('version-v2', 20)] }]), 'virtualServices');
    await sim.resetService(ns, 'catalog');
    const n = 5000;
    const after = await sim.send(ns, 'catalog', n);
    const observed = [after.versions.v1?.live ?? 0, after.versions.v2?.live ?? 0];
    expect(observed[0]! + observed[1]!).toBe(n);
    expect(chiSquareStatistic(observed, [0.8, 0.2])).toBeLessThan(chiSquareCritical(1, 0.001));
  });

  it('header routing is exact: only the exact value reaches v2', async () => {
    const ns = await setup('sim-header');
    await apply(
      virtualService(ns, [{ match: [{ headers: { [COHORT]: { exact: 'internal' } } }], route: [to('version-v2')] }, { route: [to('version-v1')] }]),
      'virtualServices',
    );
    const cases: Array<[string | undefined, 'v1' | 'v2']> = [['internal', 'v2'], ['Internal', 'v1'], ['internal-qa', 'v1'], ['intern', 'v1'], [undefined, 'v1']];
    for (const [value, expected] of cases) {
      await sim.setLoad(ns, 'catalog', { headers: value === undefined ? [] : [{ name: COHORT, value, share: 1 }] });
      await sim.resetService(ns, 'catalog');
      const stats = await sim.send(ns, 'catalog', 50);
      expect({ value, versions: Object.keys(stats.versions) }).toEqual({ value, versions: [expected] });
    }
  });

  it('mirrored traffic appears only on the destination side in Prometheus', async () => {
    const ns = await setup('sim-mirror');
    await apply(virtualService(ns, [{ route: [to('version-v1', 100)], mirror: { host: 'catalog', subset: 'version-v2' } }]), 'virtualServices');
    const n = 300;
    await sim.send(ns, 'catalog', n);
    const v2 = { destination_workload_namespace: ns, destination_workload: 'catalog-v2' };
    const v1 = { destination_workload_namespace: ns, destination_workload: 'catalog-v1' };
    // Wait for a scrape that has both the live (v1) and the shadow (v2) counts.
    await waitFor(
      async () =>
        (await promValue(`sum(istio_requests_total${selector({ ...v2, reporter: 'destination' })})`)) === n &&
        (await promValue(`sum(istio_requests_total${selector({ ...v1, reporter: 'source' })})`)) === n,
      { timeoutMs: 30_000, intervalMs: 500, what: 'Prometheus to scrape the mirrored requests' },
    );
    expect(await promValue(`sum(istio_requests_total${selector({ ...v2, reporter: 'source' })})`)).toBeUndefined();
  });

  it('a missing subset yields 503 NC, reported by the source only', async () => {
    const ns = await setup('sim-nc');
    await apply(virtualService(ns, [{ route: [to('version-v3')] }]), 'virtualServices');
    const stats = await sim.send(ns, 'catalog', 40);
    expect(stats.local).toEqual({ '503 NC': 40 });
    expect(stats.versions).toEqual({});
    const source = { source_workload_namespace: ns, source_workload: 'webapp' };
    await waitFor(
      async () => (await promValue(`sum(istio_requests_total${selector({ ...source, reporter: 'source', response_code: '503', response_flags: 'NC' })})`)) === 40,
      { timeoutMs: 30_000, intervalMs: 500, what: 'Prometheus to scrape the 503 NC requests' },
    );
    expect(await promValue(`sum(istio_requests_total${selector({ ...source, reporter: 'destination' })})`)).toBeUndefined();
  });

  it("Prometheus returns the success ratio of a version's error profile", async () => {
    const ns = await setup('sim-ratio');
    await apply(virtualService(ns, [{ route: [to('version-v2')] }]), 'virtualServices');
    const errorRatio = 0.2;
    await sim.setProfile(ns, 'catalog', 'v2', { errorRatio, errorCode: 503 });
    const n = 2000;
    await sim.send(ns, 'catalog', n);
    const w = { reporter: 'destination', destination_workload_namespace: ns, destination_workload: 'catalog-v2' };
    await waitFor(async () => (await promValue(`sum(istio_requests_total${selector(w)})`)) === n, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'Prometheus to scrape every request',
    });
    const ratio = await promValue(`sum(istio_requests_total${selector(w, 'response_code!~"5.*"')}) / sum(istio_requests_total${selector(w)})`);
    // Binomial 99.9 % band around the profile's success ratio.
    const band = 3.29 * Math.sqrt((errorRatio * (1 - errorRatio)) / n);
    expect(Math.abs(ratio! - (1 - errorRatio))).toBeLessThan(band);
  });

  it("the seed's gateway VirtualService routes traffic sent via that gateway", async () => {
    const ns = await setup('sim-gw');
    const host = `catalog.${ns}.example.io`;
    await apply(virtualService(ns, [{ route: [to('version-v2')] }], { hosts: [host], gateways: ['catalog-gateway'] }), 'virtualServices');
    // Mesh traffic ignores a gateway-only VirtualService and takes the default round-robin.
    const mesh = await sim.send(ns, 'catalog', 30);
    expect(mesh.versions.v1!.live).toBe(20);
    await sim.resetService(ns, 'catalog');
    await sim.setLoad(ns, 'catalog', { via: { gateway: `${ns}/catalog-gateway`, host } });
    const viaGateway = await sim.send(ns, 'catalog', 30);
    expect(Object.keys(viaGateway.versions)).toEqual(['v2']);
  });
});
