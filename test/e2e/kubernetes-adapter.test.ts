// The Kubernetes routing adapter against the local API server with Istio's CRDs.
import diagnostics from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createKubernetesRouting } from '../../src/adapters/kubernetes.ts';
import type { Logger } from '../../src/core/ports.ts';
import { ClusterError, ConflictError } from '../../src/errors.ts';
import type { DestinationRule, VirtualService } from '../../src/istio/types.ts';
import { ownedLabels, type RoutingObject } from '../../src/plan/objects.ts';
import { getIstio, kubeConfig, meshEnv, replaceIstio, uniqueNamespace, type IstioObject } from '../env/cluster.ts';
import { istioRef } from '../../src/routing/virtual-service/objects.ts';

function virtualService(namespace: string, canaryWeight: number): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace, labels: { app: 'catalog' } },
    spec: {
      hosts: ['catalog'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: 'catalog', subset: 'version-v1' }, weight: 100 - canaryWeight },
            { destination: { host: 'catalog', subset: 'version-v2' }, weight: canaryWeight },
          ],
        },
      ],
    },
  };
}

function destinationRule(namespace: string): DestinationRule {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace },
    spec: { host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }] },
  };
}

function routing(extra: { log?: Logger } = {}) {
  return createKubernetesRouting({ kubeconfigPath: meshEnv().kubeconfig, deadlineMs: 20_000, ...extra });
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
}

describe('Kubernetes routing adapter', () => {
  it('reuses its connections: ten reads and a write open one connection, not one each', async () => {
    const ns = uniqueNamespace('k8s-keepalive');
    const port = routing();
    await port.write(virtualService(ns, 0));
    let connected = 0;
    const onConnect = () => connected++;
    diagnostics.subscribe('undici:client:connected', onConnect);
    try {
      for (let i = 0; i < 10; i++) await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog'));
      const live = await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog'));
      await port.write({ ...live!, spec: virtualService(ns, 10).spec });
    } finally {
      diagnostics.unsubscribe('undici:client:connected', onConnect);
    }
    expect(connected).toBeLessThanOrEqual(1);
  });

  it('creates an object and reads back what the server stored', async () => {
    const ns = uniqueNamespace('k8s-create');
    const port = routing();
    const stored = await port.write(virtualService(ns, 0));
    expect(stored.metadata.resourceVersion).toMatch(/^\d+$/);
    const live = await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog'));
    expect(live?.spec).toEqual(virtualService(ns, 0).spec);
    expect(live?.metadata.labels).toEqual({ app: 'catalog' });
    expect(live?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    const dr = await port.write(destinationRule(ns));
    expect((await port.get<DestinationRule>(istioRef('DestinationRule', ns, 'catalog')))?.spec.subsets).toEqual(dr.spec.subsets);
  });

  it('returns undefined for an object that does not exist', async () => {
    expect(await routing().get<VirtualService>(istioRef('VirtualService', uniqueNamespace('k8s-missing'), 'nothing-here'))).toBeUndefined();
  });

  it('replaces an object read at its current resourceVersion', async () => {
    const ns = uniqueNamespace('k8s-replace');
    const port = routing();
    const created = await port.write(virtualService(ns, 0));
    const updated = await port.write({ ...created, spec: virtualService(ns, 10).spec });
    expect(updated.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);
    expect((await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog')))?.spec.http?.[0]?.route?.map((r) => r.weight)).toEqual([90, 10]);
  });

  it('refuses a write at a stale resourceVersion with a ConflictError, keeping the other change', async () => {
    const ns = uniqueNamespace('k8s-stale');
    const port = routing();
    const created = await port.write(virtualService(ns, 0));
    // Someone else edits the object in between (another route, another manager).
    const theirs = (await getIstio(kubeConfig(), { kind: 'VirtualService', namespace: ns, name: 'catalog' })) as IstioObject & VirtualService;
    await replaceIstio(kubeConfig(), { ...theirs, spec: { ...theirs.spec, hosts: ['catalog', 'catalog.example.com'] } } as IstioObject);
    const error = await errorOf(port.write({ ...created, spec: virtualService(ns, 50).spec }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain(`Conflict updating VirtualService ${ns}/catalog`);
    expect((error as ConflictError).status).toBe(409);
    const live = await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog'));
    expect(live?.spec.hosts).toEqual(['catalog', 'catalog.example.com']);
    expect(live?.spec.http?.[0]?.route?.map((r) => r.weight)).toEqual([100, 0]);
  });

  it('refuses to create an object that already exists with a ConflictError', async () => {
    const ns = uniqueNamespace('k8s-exists');
    const port = routing();
    await port.write(virtualService(ns, 0));
    const error = await errorOf(port.write(virtualService(ns, 0)));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain(`Conflict creating VirtualService ${ns}/catalog`);
    expect(error.message).toContain('already exists');
  });

  it('reports an invalid object with the server\'s message, the object and what was being done', async () => {
    const ns = uniqueNamespace('k8s-invalid');
    const invalid = virtualService(ns, 0);
    (invalid.spec.http![0]!.route![0] as { weight: unknown }).weight = 'ten';
    const error = await errorOf(routing().write(invalid));
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).not.toBeInstanceOf(ConflictError);
    expect((error as ClusterError).status).toBe(422);
    expect(error.message).toContain(`The API server rejected VirtualService ${ns}/catalog while creating it:`);
    expect(error.message).toMatch(/spec\.http\[0\]\.route\[0\]\.weight: Invalid value: "string"/);
    expect(await routing().get<VirtualService>(istioRef('VirtualService', ns, 'catalog'))).toBeUndefined();
  });

  it('records istio-canary as the field manager of what it writes, next to other managers', async () => {
    const ns = uniqueNamespace('k8s-managers');
    const port = routing();
    await port.write(virtualService(ns, 0));
    const theirs = (await getIstio(kubeConfig(), { kind: 'VirtualService', namespace: ns, name: 'catalog' })) as IstioObject;
    await replaceIstio(kubeConfig(), { ...theirs, metadata: { ...theirs.metadata, annotations: { team: 'shop' } } });
    const current = await port.get<VirtualService>(istioRef('VirtualService', ns, 'catalog'));
    const stored = await port.write({ ...current!, spec: virtualService(ns, 10).spec });
    const managers = stored.metadata.managedFields?.map((m) => m.manager);
    expect(managers).toContain('istio-canary');
    expect(managers!.length).toBeGreaterThanOrEqual(2);
    const ours = stored.metadata.managedFields!.find((m) => m.manager === 'istio-canary')!;
    expect(ours.operation).toBe('Update');
    expect(JSON.stringify(ours.fieldsV1)).toContain('"f:http"');
    expect(stored.metadata.annotations).toEqual({ team: 'shop' });
  });

  it('lists the objects of a kind that carry every label asked for, and only those', async () => {
    const ns = uniqueNamespace('k8s-list');
    const port = routing();
    const labelled = (name: string, labels: Record<string, string>) => ({ ...destinationRule(ns), metadata: { name, namespace: ns, labels } });
    await port.write(labelled('ours', ownedLabels('catalog')));
    await port.write(labelled('other-canary', ownedLabels('reviews')));
    await port.write(destinationRule(ns));
    await port.write({ ...virtualService(ns, 0), metadata: { name: 'ours-too', namespace: ns, labels: ownedLabels('catalog') } });
    const found = await port.list(istioRef('DestinationRule', ns, ''), ownedLabels('catalog'));
    expect(found.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['DestinationRule/ours']);
    expect(found[0]!.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(await port.list(istioRef('DestinationRule', uniqueNamespace('k8s-list-empty'), ''), ownedLabels('catalog'))).toEqual([]);
  });

  it('deletes an object only at the resourceVersion it was read at; one already gone is done', async () => {
    const ns = uniqueNamespace('k8s-delete');
    const port = routing();
    const ref = istioRef('DestinationRule', ns, 'catalog');
    const created = await port.write(destinationRule(ns));
    const changed = await port.write({ ...created, spec: { ...created.spec, subsets: [] } });
    const error = await errorOf(port.delete(ref, created.metadata.resourceVersion!));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain(`Conflict deleting DestinationRule ${ns}/catalog`);
    expect((await port.get(ref))?.metadata.resourceVersion).toBe(changed.metadata.resourceVersion);
    await port.delete(ref, changed.metadata.resourceVersion!);
    expect(await port.applied(ref, undefined, changed)).toBeUndefined();
    expect(await port.get(ref)).toBeUndefined();
    await port.delete(ref, changed.metadata.resourceVersion!);
  });

  it('says a write is in effect once the server has stored it as written, and refuses one it stored otherwise', async () => {
    const ns = uniqueNamespace('k8s-applied');
    const port = routing();
    const ref = istioRef('VirtualService', ns, 'catalog');
    const desired = { ...virtualService(ns, 10), metadata: { ...virtualService(ns, 10).metadata, annotations: { 'istio-canary.dev/catalog': '{}' } } };
    const stored = await port.write(desired);
    expect((await port.applied(ref, desired, stored))?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    // Someone writes after us: our write's answer is the record of what we stored.
    const theirs = (await getIstio(kubeConfig(), { kind: 'VirtualService', namespace: ns, name: 'catalog' })) as IstioObject;
    await replaceIstio(kubeConfig(), { ...theirs, metadata: { ...theirs.metadata, labels: { app: 'other' } } });
    expect((await port.applied(ref, desired, stored))?.metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
    // What the server has is not what was meant (as if a webhook had changed it on the way in).
    const other: RoutingObject = { ...desired, spec: virtualService(ns, 50).spec };
    const error = await errorOf(port.applied(ref, other));
    expect(error).toBeInstanceOf(ClusterError);
    expect(error.message).toContain(`VirtualService ${ns}/catalog: the API server stored something other than what was written (at spec.http[0].route[0].weight)`);
    const missing = await errorOf(port.applied(istioRef('VirtualService', ns, 'gone'), desired));
    expect(missing.message).toContain(`VirtualService ${ns}/gone disappeared right after it was written`);
  });

  it('reads and writes any kind by its apiVersion: a ServiceEntry', async () => {
    const ns = uniqueNamespace('k8s-kind');
    const port = routing();
    const entry: RoutingObject = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'payments', namespace: ns, labels: ownedLabels('catalog') },
      spec: { hosts: ['api.payments.example'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] },
    };
    const stored = await port.write(entry);
    const ref = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', namespace: ns, name: 'payments' };
    expect((await port.get(ref))?.spec).toEqual(entry.spec);
    expect((await port.list(ref, ownedLabels('catalog'))).map((o) => o.metadata.name)).toEqual(['payments']);
    await port.delete(ref, stored.metadata.resourceVersion!);
    expect(await port.get(ref)).toBeUndefined();
  });

  it('gives up on an unreachable API server after the deadline, saying what it was doing and where', async () => {
    const port = await closedPort();
    const real = await readFile(meshEnv().kubeconfig, 'utf8');
    const unreachable = real.replace(/server: \S+/, `server: https://127.0.0.1:${port}`);
    expect(unreachable).toContain(`127.0.0.1:${port}`);
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warning: (m) => warnings.push(m), error: () => {} };
    const adapter = createKubernetesRouting({ kubeconfig: unreachable, deadlineMs: 1_500, log });
    const error = await errorOf(adapter.get<VirtualService>(istioRef('VirtualService', 'shop', 'catalog')));
    expect(error).toBeInstanceOf(ClusterError);
    expect(error.message).toContain(`Could not reach the Kubernetes API server at https://127.0.0.1:${port} while reading VirtualService shop/catalog`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toContain('retrying');
  });
});
