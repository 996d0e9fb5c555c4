// What Argo CD or Flux would do with a GitOps repository, for tests of commit mode: watch a branch,
// and some time after it moves apply the files at the branch head (not each commit: intermediate
// commits are skipped, as the controllers do) to the local API server, pruning objects no longer in
// git, and write the status of an Argo CD Application or a Flux Kustomization (their real CRDs,
// test/env/gitops-crds.ts) the way those controllers write it:
// - Argo CD: operationState Running → Succeeded/Failed with finishedAt and syncResult.revision, and
//   only at the next reconcile sync.status/revision, reconciledAt and health (so for a while health
//   is about the previous revision, and reconciledAt < finishedAt says so);
// - Flux: lastAttemptedRevision, Ready Unknown/Progressing, then lastAppliedRevision
//   `<branch>@sha1:<sha>` and Ready True (or False with HealthCheckFailed / ReconciliationFailed).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export type ControllerKind = 'argocd' | 'flux';
export type Health = 'Healthy' | 'Degraded' | 'Progressing';

export interface SyncLoopOptions {
  kubeconfig: string;
  /** The remote (a bare repository's path). */
  repository: string;
  branch: string;
  /** Files whose objects the controller applies. */
  paths: string[];
  /** Namespace for objects that name none (Argo CD's destination, Kustomize's namespace). */
  namespace: string;
  controller: { kind: ControllerKind; name: string; namespace: string };
  /** From seeing a new head to applying it: commits landing meanwhile are applied together. */
  delayMs: number;
  /** Argo CD: from a finished sync to the reconcile that reports health. */
  reconcileDelayMs?: number;
  pollMs?: number;
  /** The health the workloads report after a revision is applied (default Healthy). */
  health?: (revision: string) => Health;
}

export interface AppliedRevision {
  revision: string;
  /** Date.now() when the objects were applied and the operation's status written. */
  at: number;
  /** Argo CD: Date.now() when the reconcile after the sync reported sync status and health. */
  reconciledAt?: number;
  objects: number;
}

export interface SyncLoop {
  /** Every revision applied, in order. */
  readonly applied: AppliedRevision[];
  /** Errors the loop met (apply refused, ...), as the controller would report them. */
  readonly errors: string[];
  stop(): Promise<void>;
}

const FIELD_MANAGER: Record<ControllerKind, string> = { argocd: 'argocd-controller', flux: 'kustomize-controller' };
const ARGO = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
const FLUX = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Creates the Application or Kustomization and starts watching the branch. */
export async function startSyncLoop(options: SyncLoopOptions): Promise<SyncLoop> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await createController(custom, options);
  const applied: AppliedRevision[] = [];
  const errors: string[] = [];
  let inventory: KubernetesObject[] = [];
  let stopped = false;
  let seen = '';
  const poll = options.pollMs ?? 50;

  const loop = (async () => {
    while (!stopped) {
      const head = await git(options.repository, ['rev-parse', `refs/heads/${options.branch}`]).catch(() => '');
      if (head !== '' && head !== seen) {
        await sleep(options.delayMs, () => stopped);
        if (stopped) break;
        // The head now, not the one seen: commits pushed during the delay are applied together.
        const revision = await git(options.repository, ['rev-parse', `refs/heads/${options.branch}`]);
        seen = revision;
        await started(custom, options, revision);
        try {
          const desired = await manifestsAt(options, revision);
          for (const object of desired) await objects.patch(object, undefined, undefined, FIELD_MANAGER[options.controller.kind], true, PatchStrategy.ServerSideApply);
          const keep = new Set(desired.map(key));
          for (const gone of inventory.filter((o) => !keep.has(key(o)))) await objects.delete(gone).catch(() => undefined);
          inventory = desired;
          await finished(custom, options, revision, undefined);
          const record: AppliedRevision = { revision, at: Date.now(), objects: desired.length };
          applied.push(record);
          if (options.controller.kind === 'argocd') {
            await sleep(options.reconcileDelayMs ?? 0, () => stopped);
            if (!stopped) {
              await reconciled(custom, options, revision);
              record.reconciledAt = Date.now();
            }
          }
        } catch (error) {
          const message = errorText(error);
          errors.push(message);
          await finished(custom, options, revision, message);
        }
      }
      await sleep(poll, () => stopped);
    }
  })();

  return {
    applied,
    errors,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

async function createController(custom: CustomObjectsApi, o: SyncLoopOptions): Promise<void> {
  const { name, namespace } = o.controller;
  if (o.controller.kind === 'argocd') {
    await custom.createNamespacedCustomObject({
      ...ARGO,
      namespace,
      body: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace },
        spec: {
          project: 'default',
          source: { repoURL: o.repository, targetRevision: o.branch, path: '.' },
          destination: { server: 'https://kubernetes.default.svc', namespace: o.namespace },
          syncPolicy: { automated: { prune: true, selfHeal: true } },
        },
      },
    });
  } else {
    await custom.createNamespacedCustomObject({
      ...FLUX,
      namespace,
      body: {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace },
        spec: { interval: '1m', path: './', prune: true, sourceRef: { kind: 'GitRepository', name }, targetNamespace: o.namespace },
      },
    });
  }
}

async function started(custom: CustomObjectsApi, o: SyncLoopOptions, revision: string): Promise<void> {
  const { name, namespace } = o.controller;
  const now = timestamp();
  if (o.controller.kind === 'argocd') {
    await custom.patchNamespacedCustomObject(
      { ...ARGO, namespace, name, body: { status: { operationState: { operation: { sync: { revision } }, phase: 'Running', message: 'one or more tasks are running', startedAt: now, finishedAt: null, syncResult: null } } } },
      MERGE_PATCH,
    );
  } else {
    await patchFluxStatus(custom, o, {
      lastAttemptedRevision: `${o.branch}@sha1:${revision}`,
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: `Reconciliation in progress`, lastTransitionTime: now, observedGeneration: 1 }],
    });
  }
}

async function finished(custom: CustomObjectsApi, o: SyncLoopOptions, revision: string, failure: string | undefined): Promise<void> {
  const { name, namespace } = o.controller;
  const now = timestamp();
  const health = failure === undefined ? (o.health?.(revision) ?? 'Healthy') : 'Degraded';
  if (o.controller.kind === 'argocd') {
    const operationState = {
      operation: { sync: { revision } },
      phase: failure === undefined ? 'Succeeded' : 'Failed',
      message: failure ?? 'successfully synced (all tasks run)',
      finishedAt: now,
      syncResult: { revision, source: { repoURL: o.repository, targetRevision: o.branch, path: '.' } },
    };
    // The sync status comes from the next reconcile (a comparison of live and git), not the operation.
    await custom.patchNamespacedCustomObject({ ...ARGO, namespace, name, body: { status: { operationState } } }, MERGE_PATCH);
    return;
  }
  const generation = 1;
  const ready =
    failure !== undefined
      ? { status: 'False', reason: 'ReconciliationFailed', message: failure }
      : health === 'Degraded'
        ? { status: 'False', reason: 'HealthCheckFailed', message: 'health check failed after 30s: timeout waiting for: [Deployment status: Failed]' }
        : { status: 'True', reason: 'ReconciliationSucceeded', message: `Applied revision: ${o.branch}@sha1:${revision}` };
  await patchFluxStatus(custom, o, {
    observedGeneration: generation,
    lastAttemptedRevision: `${o.branch}@sha1:${revision}`,
    ...(ready.status === 'True' ? { lastAppliedRevision: `${o.branch}@sha1:${revision}` } : {}),
    conditions: [{ type: 'Ready', ...ready, lastTransitionTime: now, observedGeneration: generation }],
  });
}

/** Argo CD's next reconcile: compares the app again and reports the health of what runs now. */
async function reconciled(custom: CustomObjectsApi, o: SyncLoopOptions, revision: string): Promise<void> {
  const { name, namespace } = o.controller;
  const health = o.health?.(revision) ?? 'Healthy';
  await custom.patchNamespacedCustomObject(
    {
      ...ARGO,
      namespace,
      name,
      body: {
        status: {
          reconciledAt: timestamp(),
          sync: { status: 'Synced', revision, comparedTo: { source: { repoURL: o.repository, targetRevision: o.branch, path: '.' }, destination: { server: 'https://kubernetes.default.svc', namespace: o.namespace } } },
          health: { status: health, ...(health === 'Degraded' ? { message: 'Deployment "catalog-v2" exceeded its progress deadline' } : {}) },
        },
      },
    },
    MERGE_PATCH,
  );
}

async function patchFluxStatus(custom: CustomObjectsApi, o: SyncLoopOptions, status: Record<string, unknown>): Promise<void> {
  await custom.patchNamespacedCustomObjectStatus({ ...FLUX, namespace: o.controller.namespace, name: o.controller.name, body: { status } }, MERGE_PATCH);
}

async function manifestsAt(o: SyncLoopOptions, revision: string): Promise<KubernetesObject[]> {
  const out: KubernetesObject[] = [];
  for (const path of o.paths) {
    const text = await git(o.repository, ['show', `${revision}:${path}`], false);
    for (const doc of parseAllDocuments(text)) {
      const object = doc.toJS() as KubernetesObject | null;
      if (!object?.kind) continue;
      out.push({ ...object, metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? o.namespace } });
    }
  }
  return out;
}

function key(o: KubernetesObject): string {
  return `${o.apiVersion?.split('/')[0]}/${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;
}

async function git(dir: string, args: string[], trim = true): Promise<string> {
  const { stdout } = await run('git', args, { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
  return trim ? stdout.trim() : stdout;
}

/** RFC 3339 with second precision, as metav1.Time is written. */
function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function sleep(ms: number, stopped: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!stopped() && Date.now() < end) await new Promise((r) => setTimeout(r, Math.max(1, Math.min(20, end - Date.now()))));
}

function errorText(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      return body;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
