// Outbound traffic on the local mesh, before the release engine uses it: the outbound mode read
// from the real API server (Sidecar override, no mesh config to read, a user without the rights to
// read it), the simulator blocking or passing calls as Istio would, and the egress gate judging
// what the real Prometheus scraped.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { describe, expect, inject, it } from 'vitest';
import { detectOutboundMode } from '../../src/adapters/outbound-policy.ts';
import { createPrometheusMetrics } from '../../src/adapters/prometheus.ts';
import { egressQuery, judgeEgress, type EgressGateSpec } from '../../src/analysis/checks/egress.ts';
import { splitGrouped } from '../../src/analysis/grouped.ts';
import { planServiceEntries } from '../../src/istio/service-entry.ts';
import { createIstio, kubeConfig, uniqueNamespace, waitFor, type IstioObject } from '../env/cluster.ts';
import { SimulatorClient } from '../sim/client.ts';
import { accessControlledApiserver } from './support/access-webhook.ts';
import { tokenKubeConfig } from './support/private-apiserver.ts';

const HOST = 'jsonplaceholder.typicode.com';
const sim = new SimulatorClient(inject('mesh').simulatorUrl);
const metrics = createPrometheusMetrics({ url: inject('mesh').prometheusUrl, timeoutMs: 10_000, retry: { attempts: 2, baseDelayMs: 200 } });

function sidecar(ns: string, name: string, mode: 'ALLOW_ANY' | 'REGISTRY_ONLY', selector?: Record<string, string>): IstioObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name, namespace: ns },
    spec: { outboundTrafficPolicy: { mode }, ...(selector ? { workloadSelector: { labels: selector } } : {}) },
  };
}

/** A control plane of the test's own: its namespace and mesh config ConfigMaps (name → mesh text). */
async function controlPlane(configMaps: Record<string, string>): Promise<string> {
  const namespace = uniqueNamespace('istio-cp');
  const core = kubeConfig().makeApiClient(CoreV1Api);
  for (const [name, mesh] of Object.entries(configMaps)) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { mesh } } });
  return namespace;
}

describe('outbound mode read from the API server', () => {
  it("default: the istio ConfigMap's mesh config without a policy is Istio's default, ALLOW_ANY", async () => {
    const cp = await controlPlane({ istio: 'accessLogFile: /dev/stdout\n' });
    const d = await detectOutboundMode(kubeConfig(), { namespace: uniqueNamespace('egress-mode'), labels: { version: 'v2' }, fallback: 'REGISTRY_ONLY' }, { controlPlaneNamespace: cp });
    expect(d).toEqual({ mode: 'ALLOW_ANY', source: `Istio's default (ConfigMap ${cp}/istio sets no outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it('the mesh config says REGISTRY_ONLY', async () => {
    const cp = await controlPlane({ istio: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' });
    const d = await detectOutboundMode(kubeConfig(), { namespace: uniqueNamespace('egress-mode'), labels: { version: 'v2' } }, { controlPlaneNamespace: cp });
    expect(d).toEqual({ mode: 'REGISTRY_ONLY', source: `ConfigMap ${cp}/istio (outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it("revisioned control plane: the namespace's istio.io/rev label picks istio-<rev>", async () => {
    const cp = await controlPlane({ istio: 'outboundTrafficPolicy: {mode: ALLOW_ANY}\n', 'istio-canary-1-30': 'outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n' });
    const ns = uniqueNamespace('egress-mode');
    await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns, labels: { 'istio.io/rev': 'canary-1-30' } } } });
    const d = await detectOutboundMode(kubeConfig(), { namespace: ns, labels: { version: 'v2' } }, { controlPlaneNamespace: cp });
    expect(d).toEqual({ mode: 'REGISTRY_ONLY', source: `ConfigMap ${cp}/istio-canary-1-30 (outboundTrafficPolicy.mode)`, warnings: [], revision: 'canary-1-30' });
  });

  it('a mesh config istiod could not read either is named in a warning', async () => {
    const cp = await controlPlane({ istio: 'outboundTrafficPolicy: {mode: DENY}\n' });
    const d = await detectOutboundMode(kubeConfig(), { namespace: uniqueNamespace('egress-mode'), labels: { version: 'v2' }, fallback: 'REGISTRY_ONLY' }, { controlPlaneNamespace: cp });
    expect(d.mode).toBe('REGISTRY_ONLY');
    expect(d.warnings).toEqual([`cannot read ConfigMap ${cp}/istio: ConfigMap ${cp}/istio key mesh: outboundTrafficPolicy.mode is "DENY", expected ALLOW_ANY or REGISTRY_ONLY; using spec.egress.mode REGISTRY_ONLY`]);
  });

  it('a namespace-wide Sidecar overrides the mesh config', async () => {
    const cp = await controlPlane({ istio: 'outboundTrafficPolicy: {mode: ALLOW_ANY}\n' });
    const ns = uniqueNamespace('egress-mode');
    await createIstio(kubeConfig(), sidecar(ns, 'default', 'REGISTRY_ONLY'));
    const d = await detectOutboundMode(kubeConfig(), { namespace: ns, labels: { app: 'forum', version: 'v2' } }, { controlPlaneNamespace: cp });
    expect(d).toEqual({ mode: 'REGISTRY_ONLY', source: `Sidecar ${ns}/default (outboundTrafficPolicy.mode)`, warnings: [] });
  });

  it('a Sidecar selecting the canary beats the namespace-wide one', async () => {
    const ns = uniqueNamespace('egress-mode');
    await createIstio(kubeConfig(), sidecar(ns, 'default', 'REGISTRY_ONLY'));
    await createIstio(kubeConfig(), sidecar(ns, 'forum-v2', 'ALLOW_ANY', { version: 'v2' }));
    const d = await detectOutboundMode(kubeConfig(), { namespace: ns, labels: { app: 'forum', version: 'v2' } });
    expect(d.mode).toBe('ALLOW_ANY');
    expect(d.source).toBe(`Sidecar ${ns}/forum-v2 (outboundTrafficPolicy.mode)`);
  });

  it('no Sidecar and no mesh config: a warning, and spec.egress.mode', async () => {
    const ns = uniqueNamespace('egress-mode');
    const cp = uniqueNamespace('istio-cp');
    const d = await detectOutboundMode(kubeConfig(), { namespace: ns, labels: { version: 'v2' }, fallback: 'REGISTRY_ONLY' }, { controlPlaneNamespace: cp });
    expect(d).toEqual({
      mode: 'REGISTRY_ONLY',
      source: 'spec.egress.mode (the mesh config could not be read)',
      warnings: [`ConfigMap ${cp}/istio not found; using spec.egress.mode REGISTRY_ONLY`],
    });
  });
});

describe('outbound mode for a user who may not read the mesh config (API server of its own, access by webhook)', () => {
  const access = accessControlledApiserver('egress-access-', [
    // May list Sidecars (as a release's role would) and nothing else: no ConfigMaps, no Namespaces.
    { token: 'sidecars-only', name: 'egress-reader', allows: (r) => r.group === 'networking.istio.io' && r.resource === 'sidecars' && (r.verb === 'list' || r.verb === 'get') },
    { token: 'nothing', name: 'nobody', allows: () => false },
    // A Role in the release's namespace only: its Sidecars, not the root namespace's.
    { token: 'namespace-only', name: 'shop-role', allows: (r) => r.namespace === 'shop' && r.resource === 'sidecars' && r.verb === 'list' },
  ]);
  const user = (token: string): KubeConfig => tokenKubeConfig(access.apiserver, token);

  it('may read Sidecars but not the ConfigMap: the API server answers 403, and the warning says so', async () => {
    const d = await detectOutboundMode(user('sidecars-only'), { namespace: 'shop', labels: { version: 'v2' }, fallback: 'ALLOW_ANY' });
    expect(d.mode).toBe('ALLOW_ANY');
    expect(d.source).toBe('spec.egress.mode (the mesh config could not be read)');
    expect(d.warnings).toEqual([
      'cannot read Namespace shop (forbidden: the credentials may not read it); assuming it uses the default control plane revision',
      'cannot read ConfigMap istio-system/istio: forbidden: the credentials may not read it; using spec.egress.mode ALLOW_ANY',
    ]);
    expect(access.webhook.reviews).toContainEqual({ user: 'egress-reader', request: { verb: 'get', group: '', resource: 'configmaps', namespace: 'istio-system', name: 'istio' }, allowed: false });
  });

  it('may read Sidecars: one there still decides', async () => {
    await createIstio(access.apiserver.kc, sidecar('shop', 'default', 'REGISTRY_ONLY'));
    const d = await detectOutboundMode(user('sidecars-only'), { namespace: 'shop', labels: { version: 'v2' } });
    expect(d.mode).toBe('REGISTRY_ONLY');
    expect(d.source).toBe('Sidecar shop/default (outboundTrafficPolicy.mode)');
  });

  it("may read only its namespace's Sidecars: the namespace's Sidecar decides, the root namespace is named in a warning", async () => {
    const d = await detectOutboundMode(user('namespace-only'), { namespace: 'shop', labels: { version: 'v2' } });
    expect(d.mode).toBe('REGISTRY_ONLY');
    expect(d.source).toBe('Sidecar shop/default (outboundTrafficPolicy.mode)');
    expect(d.warnings).toContain("cannot read the Sidecars in the root namespace istio-system (forbidden: the credentials may not read it); a mesh-wide Sidecar there could set the canary's outbound mode");
  });

  it('may read nothing: unknown without spec.egress.mode, every gap named', async () => {
    const d = await detectOutboundMode(user('nothing'), { namespace: 'shop', labels: { version: 'v2' } });
    expect(d.mode).toBe('unknown');
    expect(d.warnings).toHaveLength(3);
    expect(d.warnings[1]).toBe("cannot read the Sidecars in namespace shop (forbidden: the credentials may not read it); one could override the mesh's outbound mode for the canary");
  });
});

describe('the egress gate on what Prometheus scraped from the simulator', () => {
  const kc = kubeConfig();

  async function forum(ns: string, v2Calls: string): Promise<void> {
    await sim.putService(ns, 'forum', {
      versions: [
        { name: 'v1', labels: { app: 'forum', version: 'v1' } },
        { name: 'v2', labels: { app: 'forum', version: 'v2' }, profile: { outbound: [{ host: v2Calls, share: 1 }] } },
      ],
      load: { requestsPerSecond: 20, from: `${ns}/webapp`, headers: [] },
    });
  }

  function gate(ns: string, spec: EgressGateSpec) {
    const vars = { namespace: ns, canaryWorkload: 'forum-v2', stableWorkload: 'forum-v1', interval: '20s' };
    const query = egressQuery(vars);
    return async () => {
      const out = judgeEgress(splitGrouped(query, await metrics.vector(query.promql)), spec);
      return { ...out, verdict: { status: out.status, reason: out.reason } };
    };
  }

  it('REGISTRY_ONLY: the canary\'s calls get 502 from BlackHoleCluster and fail the gate; with the planned ServiceEntry they pass', async () => {
    const ns = uniqueNamespace('egress-gate');
    try {
      const sc = await createIstio(kc, sidecar(ns, 'default', 'REGISTRY_ONLY'));
      await waitFor(() => sim.sees('sidecars', `${ns}/default`, String(sc.metadata.resourceVersion)), { timeoutMs: 30_000, intervalMs: 200, what: 'the simulator to see the Sidecar' });
      await forum(ns, HOST);
      const judge = gate(ns, { hosts: [HOST], policy: 'fail' });
      const failed = await waitFor(async () => ((await judge()).verdict.status === 'fail' ? judge() : undefined), { timeoutMs: 60_000, intervalMs: 1000, what: 'the gate to see blocked calls' });
      expect(failed.verdict.reason).toMatch(/^\d+(\.\d)? call\(s\) to "jsonplaceholder\.typicode\.com" blocked by the mesh \(BlackHoleCluster, 502\); stable none \(new with the canary\)$/);
      const stats = await sim.stats(ns, 'forum');
      expect(Object.keys(stats.outbound)).toEqual([`v2 ${HOST} BlackHoleCluster 502`]);

      const [step] = planServiceEntries({ canary: 'forum', namespace: ns, hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }], resolution: 'DNS' }] }, []);
      if (step?.kind !== 'create') throw new Error(`expected a create step, got ${step?.kind}`);
      const se = await createIstio(kc, step.entry as unknown as IstioObject);
      await waitFor(() => sim.sees('serviceEntries', `${ns}/${step.entry.metadata.name}`, String(se.metadata.resourceVersion)), { timeoutMs: 30_000, intervalMs: 200, what: 'the simulator to see the ServiceEntry' });
      // The 20 s window slides past the blocked calls.
      await waitFor(async () => ((await judge()).verdict.status === 'pass' ? true : undefined), { timeoutMs: 60_000, intervalMs: 1000, what: 'the gate to pass once the entry is in' });
      expect(Object.keys((await sim.stats(ns, 'forum')).outbound).sort()).toEqual([`v2 ${HOST} BlackHoleCluster 502`, `v2 ${HOST} ServiceEntry 200`]);
    } finally {
      await sim.deleteService(ns, 'forum').catch(() => undefined);
    }
  });

  it('the mesh config (ConfigMap istio in istio-system) switches the simulator to REGISTRY_ONLY, and back when it is gone', async () => {
    const ns = uniqueNamespace('egress-mesh');
    const core = kc.makeApiClient(CoreV1Api);
    const outbound = async () => Object.keys((await sim.send(ns, 'forum', 20)).outbound).sort();
    try {
      await forum(ns, HOST);
      await sim.setLoad(ns, 'forum', { paused: true });
      await core.createNamespacedConfigMap({ namespace: 'istio-system', body: { metadata: { name: 'istio' }, data: { mesh: 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n' } } });
      await waitFor(async () => ((await outbound()).includes(`v2 ${HOST} BlackHoleCluster 502`) ? true : undefined), { timeoutMs: 30_000, intervalMs: 300, what: 'the simulator to block calls under the mesh config' });
      await core.deleteNamespacedConfigMap({ namespace: 'istio-system', name: 'istio' });
      await sim.resetService(ns, 'forum');
      await waitFor(async () => {
        await sim.resetService(ns, 'forum');
        const keys = await outbound();
        return keys.length > 0 && keys.every((k) => k.includes('PassthroughCluster')) ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 300, what: "the simulator to go back to the world's ALLOW_ANY" });
    } finally {
      await core.deleteNamespacedConfigMap({ namespace: 'istio-system', name: 'istio' }).catch(() => undefined);
      await sim.deleteService(ns, 'forum').catch(() => undefined);
    }
  });

  it('ALLOW_ANY: a call to an undeclared host through PassthroughCluster fails the gate; policy warn passes with the warning', async () => {
    const ns = uniqueNamespace('egress-gate');
    try {
      await forum(ns, 'collector.phone-home.example');
      const failing = gate(ns, { hosts: [HOST], policy: 'fail' });
      const failed = await waitFor(async () => {
        const out = await failing();
        return out.verdict.status === 'fail' ? out : undefined;
      }, { timeoutMs: 60_000, intervalMs: 1000, what: 'the gate to see the undeclared call' });
      expect(failed.verdict.reason).toMatch(/call\(s\) to "collector\.phone-home\.example" left through PassthroughCluster, not in egress\.hosts; stable none/);
      const warned = await gate(ns, { hosts: [HOST], policy: 'warn' })();
      expect(warned.verdict.status).toBe('pass');
      expect(warned.warning).toMatch(/"collector\.phone-home\.example" left through PassthroughCluster/);
    } finally {
      await sim.deleteService(ns, 'forum').catch(() => undefined);
    }
  });
});
