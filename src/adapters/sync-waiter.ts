// The sync wait of commit mode wired to where the spec says to look: the GitOps controller's status
// (Argo CD, Flux) or the live objects through the Kubernetes API, polled on the engine's clock until
// the commit is in effect; or a fixed wait without cluster access.
import { KubernetesObjectApi, ApiException, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { Clock, Logger } from '../core/ports.ts';
import type { BranchStore } from '../gitops/branch-store.ts';
import { liveObservation, type CommittedObject, type LiveObject } from '../gitops/sync-status.ts';
import { describeSyncSource, type SyncSettings } from '../gitops/sync-settings.ts';
import { fixedSyncWait, waitForSync, type SyncApplied } from '../gitops/sync-wait.ts';
import { argoCdObserver, fluxObserver } from './gitops-status.ts';

export type WaitApplied = (commit: string, committed: CommittedObject[], signal?: AbortSignal) => Promise<SyncApplied>;

export interface SyncWaiterOptions {
  settings: SyncSettings;
  /** Needed for every source but a fixed wait. */
  kc?: KubeConfig;
  store: Pick<BranchStore, 'contains'>;
  clock: Clock;
  log: Logger;
}

export function syncWaiter(options: SyncWaiterOptions): WaitApplied {
  const { settings, clock, log } = options;
  const source = settings.source;
  const what = describeSyncSource(source);
  return async (commit, committed, signal) => {
    if (source.kind === 'fixed') {
      log.info(`Commit ${commit.slice(0, 12)}: waiting ${what}`);
      return fixedSyncWait(clock, source.waitMs, signal);
    }
    const kc = options.kc;
    if (kc === undefined) throw new Error(`waiting for ${what} needs a kubeconfig`);
    const observe =
      source.kind === 'argocd'
        ? argoCdObserver(kc, source, options.store, commit, 'commit.sync.argocd')
        : source.kind === 'flux'
          ? fluxObserver(kc, source, options.store, commit, 'commit.sync.flux')
          : liveObserver(kc, committed);
    log.info(`Commit ${commit.slice(0, 12)}: waiting until ${what} runs it (at most ${Math.round(settings.timeoutMs / 1000)}s)`);
    const applied = await waitForSync({ observe, clock, timeoutMs: settings.timeoutMs, pollMs: settings.pollMs, ...(signal ? { signal } : {}), onWaiting: (why) => log.info(`  waiting: ${why}`) });
    log.info(`Commit ${commit.slice(0, 12)} is in effect (${what}${applied.revision ? ` at ${applied.revision.slice(0, 12)}` : ''})`);
    return applied;
  };
}

function liveObserver(kc: KubeConfig, committed: CommittedObject[]) {
  const api = KubernetesObjectApi.makeApiClient(kc);
  return async () => {
    const live = new Map<CommittedObject, LiveObject | undefined>();
    for (const c of committed) {
      const header = { apiVersion: c.apiVersion ?? 'networking.istio.io/v1', kind: c.kind, metadata: { name: c.name, namespace: c.namespace } };
      live.set(
        c,
        await api.read(header as KubernetesObject & { metadata: { name: string; namespace: string } }).then(
          (o) => o as LiveObject,
          (error: unknown) => {
            if (error instanceof ApiException && error.code === 404) return undefined;
            throw error;
          },
        ),
      );
    }
    return liveObservation(committed, (c) => live.get(c));
  };
}
