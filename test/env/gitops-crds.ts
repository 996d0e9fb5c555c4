// The CRDs of the GitOps controllers commit mode waits for, as their projects publish them in their Go
// modules: Argo CD's Application and Flux's Kustomization. The local API server serves them so the
// test sync loop (test/support/gitops-controller.ts) can write their status as the controllers do.
//
// Versions: the newest releases that `go mod download` accepts with this machine's Go (1.26).
// argo-cd v3.6.1 and kustomize-controller v1.10.1 need Go >= 1.27 (their go.mod), so v3.5.7 and v1.9.6.
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { loadModuleCrds, type CrdModule } from './module-crds.ts';

export const ARGO_CD_CRDS: CrdModule = {
  module: 'github.com/argoproj/argo-cd/v3',
  version: 'v3.5.7',
  sum: 'h1:Xm1BF+I5OgDKUG3SDK49vn2/Y5AMyaNVko+/JT08gj0=',
  files: ['manifests/crds/application-crd.yaml'],
};
export const FLUX_KUSTOMIZE_CRDS: CrdModule = {
  module: 'github.com/fluxcd/kustomize-controller',
  version: 'v1.9.6',
  sum: 'h1:XB+G3A0mky0j5uVHZWv4oSlS2RvZBoNIUhstIvY0JKE=',
  files: ['config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml'],
};

export async function loadGitOpsCrds(): Promise<V1CustomResourceDefinition[]> {
  return [...(await loadModuleCrds(ARGO_CD_CRDS)), ...(await loadModuleCrds(FLUX_KUSTOMIZE_CRDS))];
}

// `node test/env/gitops-crds.ts download`: fetch both modules into the Go module cache (setup.sh).
if (import.meta.filename === process.argv[1] && process.argv[2] === 'download') {
  const crds = await loadGitOpsCrds();
  console.log(`GitOps CRDs: ${crds.map((crd) => crd.metadata?.name).join(', ')}`);
}
