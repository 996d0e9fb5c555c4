// Apply mode's holder record, a coordination.k8s.io/v1 Lease per canary, against the local API
// server: guarded like the routing (a stale or duplicate write is a ConflictError), readable with
// kubectl's fields, and what the engine goes by when one run is refused, another takes over an
// expired holder, and a finished command releases it.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubernetesHolders, leaseName } from '../../src/adapters/kubernetes-lease.ts';
import { runRelease } from '../../src/app/release.ts';
import { createConsoleLogger } from '../../src/adapters/console-log.ts';
import { ConflictError, OwnershipError } from '../../src/errors.ts';
import { loadCanarySpec } from '../../src/spec/load.ts';
import { kubeConfig, meshEnv, uniqueNamespace } from '../env/cluster.ts';
import { CANARY_NAME, disposedAfterAll, leaseHolder, newRelease, readVs, stateOf } from './support/release-fixture.ts';

const track = disposedAfterAll();

function holders() {
  const env = meshEnv();
  return kubernetesHolders(kubeConfig(env), env.kubeconfig, { deadlineMs: 20_000 });
}

interface RawLease {
  metadata: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseDurationSeconds?: number; leaseTransitions?: number };
}

async function rawLease(namespace: string, canary: string): Promise<RawLease> {
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  return (await api.getNamespacedCustomObject({ group: 'coordination.k8s.io', version: 'v1', namespace, plural: 'leases', name: leaseName(canary) })) as RawLease;
}

describe.concurrent('the holder Lease', () => {
  it('is created, renewed and released under resourceVersion guards; a stale or second create is a conflict', async () => {
    const port = holders();
    const ns = uniqueNamespace('lease');
    expect(await port.read(ns, 'shop')).toEqual({});
    const renewedAt = '2026-01-01T10:00:00.123Z';
    const taken = await port.write(ns, 'shop', { id: 'run-1', runUrl: 'https://example.test/runs/1', renewedAt }, undefined, 90_000);
    expect(taken.holder).toEqual({ id: 'run-1', runUrl: 'https://example.test/runs/1', renewedAt });
    // A second run that read "none" before the create loses.
    await expect(port.write(ns, 'shop', { id: 'run-2', renewedAt }, undefined, 90_000)).rejects.toThrow(ConflictError);

    const raw = await rawLease(ns, 'shop');
    expect(raw.spec).toMatchObject({ holderIdentity: 'run-1', renewTime: '2026-01-01T10:00:00.123000Z', leaseDurationSeconds: 90 });

    const renewed = await port.write(ns, 'shop', { id: 'run-1', renewedAt: '2026-01-01T10:01:00.000Z' }, taken.version, 90_000);
    expect(renewed.version).not.toBe(taken.version);
    // A writer still holding the old version (it lost a race) is refused.
    await expect(port.write(ns, 'shop', { id: 'run-2', renewedAt }, taken.version, 90_000)).rejects.toThrow(ConflictError);

    const takenOver = await port.write(ns, 'shop', { id: 'run-2', renewedAt: '2026-01-01T10:30:00.000Z' }, renewed.version, 90_000);
    expect((await rawLease(ns, 'shop')).spec).toMatchObject({ holderIdentity: 'run-2', leaseTransitions: 1 });
    const released = await port.write(ns, 'shop', undefined, takenOver.version, 90_000);
    expect(released.holder).toBeUndefined();
    expect(await port.read(ns, 'shop')).toEqual({ version: released.version });
  });

  it('a fresh holder refuses another run; once it has not renewed for the timeout, a run takes over, and releases it when done', async () => {
    const release = await track(newRelease('lease-takeover'));
    const spec = await loadCanarySpec(release.specFile);
    const port = holders();
    // A run that died 3 s after taking the holder, before its first routing write.
    await port.write(release.ns, CANARY_NAME, { id: 'ghost-run', renewedAt: new Date(Date.now() - 3_000).toISOString() }, undefined, 60_000);
    const logs: string[] = [];
    const start = (holderTimeoutMs: number) =>
      runRelease({ spec, command: 'start', kubeconfigPath: release.kubeconfig, prometheusUrl: release.env.prometheusUrl, holderId: 'next-run', holderTimeoutMs, log: createConsoleLogger((line) => logs.push(line)), reports: [] });

    const refused = await start(15 * 60_000).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OwnershipError);
    expect((refused as Error).message).toContain('another run drives this rollout: ghost-run');
    expect(stateOf(await readVs(release))).toBeUndefined();

    const started = await start(1_000);
    expect(started.status).toBe('in-progress');
    expect(logs.join('\n')).toContain('taking over the rollout from run ghost-run');
    expect(stateOf(await readVs(release))).toMatchObject({ status: 'in-progress', stageIndex: 0 });
    expect(stateOf(await readVs(release))!.holder).toBeUndefined();
    // `start` is done after its write: nobody holds the rollout, and the Lease says so.
    expect(await leaseHolder(release)).toBeUndefined();
    expect((await rawLease(release.ns, CANARY_NAME)).spec?.leaseTransitions).toBe(1);
  });
});
