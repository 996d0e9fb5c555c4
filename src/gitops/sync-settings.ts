// How commit mode learns that a commit is in effect, as the spec says it (spec.commit.sync): an Argo
// CD Application, a Flux Kustomization, the live objects through a kubeconfig (any GitOps tool), or,
// without cluster access, a fixed wait. The sync timeout bounds the first three.
import type { SyncSource } from '../spec/types.ts';

export type { SyncSettings, SyncSource } from '../spec/types.ts';

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
