// Reading whether our commit is in effect from what the GitOps controller reports in the cluster:
// Argo CD's Application or Flux's Kustomization, read through the Kubernetes API, with ancestry of
// the revisions they name answered by the branch store (git). The decisions are pure
// (src/gitops/sync-status.ts); a failed read is retried by the wait's next poll.
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../errors.ts';
import type { BranchStore } from '../gitops/branch-store.ts';
import {
  argoObservation,
  argoRevisions,
  fluxObservation,
  fluxRevisionSha,
  type ArgoApplication,
  type FluxKustomization,
  type SyncObservation,
} from '../gitops/sync-status.ts';

export interface ControllerRef {
  name: string;
  namespace: string;
}

export type Observe = () => Promise<SyncObservation>;

const ARGO = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications' };
const FLUX = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };

/** Observes an Argo CD Application until it runs a revision containing `commit`. */
export function argoCdObserver(kc: KubeConfig, app: ControllerRef, store: Pick<BranchStore, 'contains'>, commit: string, field = 'argocd'): Observe {
  const api = kc.makeApiClient(CustomObjectsApi);
  const known = new Map<string, boolean>();
  return async () => {
    const object = (await read(() => api.getNamespacedCustomObject({ ...ARGO, ...app }), `Application ${app.namespace}/${app.name}`, field)) as ArgoApplication;
    await resolveAncestry(known, argoRevisions(object), store, commit);
    return argoObservation(object, (revision) => known.get(revision) === true);
  };
}

/** Observes a Flux Kustomization until it has applied a revision containing `commit`. */
export function fluxObserver(kc: KubeConfig, ks: ControllerRef, store: Pick<BranchStore, 'contains'>, commit: string, field = 'flux'): Observe {
  const api = kc.makeApiClient(CustomObjectsApi);
  const known = new Map<string, boolean>();
  return async () => {
    const object = (await read(() => api.getNamespacedCustomObject({ ...FLUX, ...ks }), `Kustomization ${ks.namespace}/${ks.name}`, field)) as FluxKustomization;
    const shas = [object.status?.lastAppliedRevision, object.status?.lastAttemptedRevision].map(fluxRevisionSha).filter((s): s is string => s !== undefined);
    await resolveAncestry(known, shas, store, commit);
    return fluxObservation(object, (revision) => known.get(revision) === true);
  };
}

/** Whether each revision contains our commit; a revision's answer never changes, so it is asked once
 * (a `false` for a revision git does not know yet is asked again: the fetch may not have it yet). */
async function resolveAncestry(known: Map<string, boolean>, revisions: string[], store: Pick<BranchStore, 'contains'>, commit: string): Promise<void> {
  for (const revision of revisions) {
    if (known.get(revision) === true) continue;
    known.set(revision, revision === commit || (await store.contains(revision, commit)));
  }
}

async function read(call: () => Promise<unknown>, what: string, field: string): Promise<unknown> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiException && (error.code === 404 || error.code === 403)) {
      const why = error.code === 404 ? 'does not exist in the cluster (or its CRD is not installed)' : 'cannot be read with these credentials (HTTP 403)';
      throw new InputError({ path: field, message: `${what} ${why}` });
    }
    throw error;
  }
}
