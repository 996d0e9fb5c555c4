// How commit mode learns that a commit is in effect, as the spec says it: an Argo CD Application, a
// Flux Kustomization, the live objects through a kubeconfig (any GitOps tool), or, without cluster
// access, a fixed wait. The sync timeout bounds the first three.
export type SyncSource =
  | { kind: 'argocd'; name: string; namespace: string }
  | { kind: 'flux'; name: string; namespace: string }
  | { kind: 'live' }
  | { kind: 'fixed'; waitMs: number };

export interface SyncSettings {
  source: SyncSource;
  /** syncTimeout: default 10 minutes. */
  timeoutMs: number;
  /** Between two reads of the controller's status. */
  pollMs: number;
}

export function describeSyncSource(source: SyncSource): string {
  switch (source.kind) {
    case 'argocd':
      return `Argo CD Application ${source.namespace}/${source.name}`;
    case 'flux':
      return `Flux Kustomization ${source.namespace}/${source.name}`;
    case 'live':
      return 'the live objects';
    case 'fixed':
      return `a fixed wait of ${Math.round(source.waitMs / 1000)}s (no cluster access)`;
  }
}
