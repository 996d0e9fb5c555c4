// Commit mode's waits against the local API server serving Argo CD's Application and Flux's
// Kustomization CRDs, with a sync loop that does what those controllers do: a commit pushed to a real
// bare repository is in effect only once the loop applied a head containing it and reported so.
import { afterEach, describe, expect, it } from 'vitest';
import { argoCdObserver, fluxObserver } from '../../src/adapters/gitops-status.ts';
import { GitBranchStore } from '../../src/adapters/git.ts';
import { systemClock } from '../../src/adapters/clock.ts';
import { syncWaiter } from '../../src/adapters/sync-waiter.ts';
import { commitMessage } from '../../src/gitops/commit-message.ts';
import { editObject, findObject } from '../../src/gitops/manifest-file.ts';
import { liveObservation } from '../../src/gitops/sync-status.ts';
import { SyncFailedError, SyncTimeoutError, waitForSync } from '../../src/gitops/sync-wait.ts';
import { InputError } from '../../src/errors.ts';
import { getIstio, kubeConfig, meshEnv, uniqueNamespace, waitFor } from '../env/cluster.ts';
import { startBareRemote, type BareRemote } from '../support/git-remote.ts';
import { startSyncLoop, type ControllerKind, type Health, type SyncLoop } from '../support/gitops-controller.ts';

const FILE = 'apps/catalog/routing.yaml';
const vsYaml = (namespace: string, weight: number) => `# catalog routing, synced by the GitOps controller
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: catalog
  namespace: ${namespace}
spec:
  hosts: [catalog]
  http:
  - name: primary   # managed by istio-canary
    route:
    - destination: {host: catalog, subset: stable}
      weight: ${weight}
`;

let cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setUp(kind: ControllerKind, options: { delayMs?: number; health?: (revision: string) => Health; reconcileDelayMs?: number } = {}) {
  const namespace = uniqueNamespace(`gitops-${kind}`);
  const remote: BareRemote = startBareRemote({ [FILE]: vsYaml(namespace, 100) });
  cleanups.push(() => remote.close());
  const store = await GitBranchStore.open({ remote: remote.url, branch: 'main' });
  cleanups.push(() => store.close());
  const controller = { kind, name: 'catalog', namespace: kind === 'argocd' ? 'argocd' : 'flux-system' };
  const loop: SyncLoop = await startSyncLoop({
    kubeconfig: meshEnv().kubeconfig,
    repository: remote.url,
    branch: 'main',
    paths: [FILE],
    namespace,
    controller: { ...controller, namespace: `${controller.namespace}-${namespace}` },
    delayMs: options.delayMs ?? 300,
    reconcileDelayMs: options.reconcileDelayMs ?? 200,
    ...(options.health ? { health: options.health } : {}),
  });
  cleanups.push(() => loop.stop());
  const ref = { name: 'catalog', namespace: `${controller.namespace}-${namespace}` };
  return { namespace, remote, store, loop, ref };
}

/** Commits a new weight for the primary route as commit mode would: edited in place, one commit. */
async function commitWeight(store: GitBranchStore, namespace: string, weight: number): Promise<string> {
  const head = await store.head();
  const text = await store.readFile(head, FILE);
  const ref = { kind: 'VirtualService', namespace, name: 'catalog' };
  const desired = structuredClone(findObject(text, FILE, ref).object) as any;
  desired.spec.http[0].route[0].weight = weight;
  const outcome = await store.commit(head, [{ path: FILE, contents: editObject(text, FILE, ref, desired) }], commitMessage({ canary: 'catalog', change: { kind: 'stage', summary: `weight ${weight}`, stageId: `w${weight}`, index: 0, total: 1 }, runId: 'e2e' }));
  if (outcome.kind !== 'pushed') throw new Error('lost a race nobody ran');
  return outcome.oid;
}

describe('sync waits against Argo CD and Flux as the local API server serves them', { timeout: 60_000 }, () => {
  it('Argo CD: the wait ends only after the loop applied our commit, finished, reconciled and reported Healthy', async () => {
    const { store, loop, ref, namespace } = await setUp('argocd', { reconcileDelayMs: 1_200 });
    const kc = kubeConfig();
    await waitForSync({ observe: argoCdObserver(kc, ref, store, loop.applied[0]?.revision ?? (await store.head())), clock: systemClock, pollMs: 100, timeoutMs: 20_000 });
    const ours = await commitWeight(store, namespace, 90);
    const reasons: string[] = [];
    const applied = await waitForSync({ observe: argoCdObserver(kc, ref, store, ours), clock: systemClock, pollMs: 100, timeoutMs: 20_000, onWaiting: (why) => reasons.push(why) });
    const run = loop.applied.find((a) => a.revision === ours)!;
    // Causality, not a duration: the wait ended after the reconcile that reported health on our commit.
    expect(run.reconciledAt).toBeDefined();
    expect(applied.at).toBeGreaterThanOrEqual(run.reconciledAt!);
    expect(reasons.some((r) => /does not contain our commit yet/.test(r))).toBe(true);
    const live = await getIstio(kc, { kind: 'VirtualService', namespace, name: 'catalog' });
    expect((live.spec as any).http[0].route[0].weight).toBe(90);
  });

  it('Argo CD: commits pushed while the controller waits are applied together; ours counts by ancestry', async () => {
    const { store, loop, ref, remote, namespace } = await setUp('argocd', { delayMs: 1_500 });
    const ours = await commitWeight(store, namespace, 80);
    const later = remote.push({ 'README.md': 'a later commit by a person\n' }, 'docs');
    const applied = await waitForSync({ observe: argoCdObserver(kubeConfig(), ref, store, ours), clock: systemClock, pollMs: 100, timeoutMs: 20_000 });
    expect(applied.revision).toBe(later);
    expect(loop.applied.map((a) => a.revision)).not.toContain(ours);
  });

  it('Argo CD: Degraded after our commit fails the wait at once', async () => {
    let bad = '';
    const { store, ref, namespace } = await setUp('argocd', { health: (revision) => (revision === bad ? 'Degraded' : 'Healthy') });
    bad = await commitWeight(store, namespace, 50);
    await expect(waitForSync({ observe: argoCdObserver(kubeConfig(), ref, store, bad), clock: systemClock, pollMs: 100, timeoutMs: 30_000 })).rejects.toThrow(
      new SyncFailedError(`Application ${ref.namespace}/catalog is Degraded after applying our commit: Deployment "catalog-v2" exceeded its progress deadline`),
    );
  });

  it('Flux: lastAppliedRevision containing our commit and Ready True', async () => {
    const { store, loop, ref, namespace } = await setUp('flux');
    const ours = await commitWeight(store, namespace, 70);
    const applied = await waitForSync({ observe: fluxObserver(kubeConfig(), ref, store, ours), clock: systemClock, pollMs: 100, timeoutMs: 20_000 });
    expect(applied.revision).toBe(ours);
    expect(loop.applied.at(-1)!.revision).toBe(ours);
    const live = await getIstio(kubeConfig(), { kind: 'VirtualService', namespace, name: 'catalog' });
    expect((live.spec as any).http[0].route[0].weight).toBe(70);
  });

  it('Flux: a failed health check of our revision fails the wait at once', async () => {
    let bad = '';
    const { store, ref, namespace } = await setUp('flux', { health: (revision) => (revision === bad ? 'Degraded' : 'Healthy') });
    bad = await commitWeight(store, namespace, 60);
    await expect(waitForSync({ observe: fluxObserver(kubeConfig(), ref, store, bad), clock: systemClock, pollMs: 100, timeoutMs: 30_000 })).rejects.toThrow(/HealthCheckFailed at main@sha1:/);
  });

  it('live objects (any tool): the committed spec is live once the loop applied it', async () => {
    const { store, namespace, loop } = await setUp('flux', { delayMs: 800 });
    await waitFor(() => loop.applied.length > 0, { timeoutMs: 10_000, what: 'the initial sync' });
    await commitWeight(store, namespace, 40);
    const text = await store.readFile(await store.head(), FILE);
    const committed = findObject(text, FILE, { kind: 'VirtualService', namespace, name: 'catalog' }).object as any;
    const kc = kubeConfig();
    const reasons: string[] = [];
    await waitForSync({
      observe: async () => {
        const live = await getIstio(kc, { kind: 'VirtualService', namespace, name: 'catalog' }).catch(() => undefined);
        return liveObservation([{ kind: 'VirtualService', namespace, name: 'catalog', object: committed }], () => live as any);
      },
      clock: systemClock,
      pollMs: 100,
      timeoutMs: 20_000,
      onWaiting: (why) => reasons.push(why),
    });
    expect(reasons).toContain(`VirtualService ${namespace}/catalog does not have the committed spec yet`);
  });

  it('the sync waiter as commit mode wires it: the live objects through the Kubernetes API, then Flux', async () => {
    const { store, namespace, loop, ref } = await setUp('flux', { delayMs: 500 });
    await waitFor(() => loop.applied.length > 0, { timeoutMs: 10_000, what: 'the initial sync' });
    const ours = await commitWeight(store, namespace, 20);
    const committed = findObject(await store.readFile(ours, FILE), FILE, { kind: 'VirtualService', namespace, name: 'catalog' }).object as any;
    const lines: string[] = [];
    const log = { info: (m: string) => lines.push(m), warning: (m: string) => lines.push(m), error: (m: string) => lines.push(m) };
    const live = syncWaiter({ settings: { source: { kind: 'live' }, timeoutMs: 20_000, pollMs: 100 }, kc: kubeConfig(), store, clock: systemClock, log });
    await live(ours, [{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace, name: 'catalog', object: committed }]);
    expect((await getIstio(kubeConfig(), { kind: 'VirtualService', namespace, name: 'catalog' })).spec).toEqual(committed.spec);
    const flux = syncWaiter({ settings: { source: { kind: 'flux', ...ref }, timeoutMs: 20_000, pollMs: 100 }, kc: kubeConfig(), store, clock: systemClock, log });
    expect((await flux(ours, [])).revision).toBe(ours);
    expect(lines).toContain(`Commit ${ours.slice(0, 12)} is in effect (Flux Kustomization ${ref.namespace}/catalog at ${ours.slice(0, 12)})`);
  });

  it('syncTimeout when the controller never gets there; a wrong Application name is one clear error', async () => {
    const { store, ref, namespace } = await setUp('argocd', { delayMs: 60_000 });
    const ours = await commitWeight(store, namespace, 30);
    await expect(waitForSync({ observe: argoCdObserver(kubeConfig(), ref, store, ours), clock: systemClock, pollMs: 100, timeoutMs: 1_000 })).rejects.toThrow(SyncTimeoutError);
    await expect(waitForSync({ observe: argoCdObserver(kubeConfig(), { ...ref, name: 'nope' }, store, ours), clock: systemClock, pollMs: 100, timeoutMs: 1_000 })).rejects.toThrow(
      new InputError({ path: 'argocd', message: `Application ${ref.namespace}/nope does not exist in the cluster (or its CRD is not installed)` }),
    );
  });
});
