// The CRDs of the GitOps controllers commit mode waits for, as their projects publish them in their Go
// modules: Argo CD's Application and Flux's Kustomization. The local API server serves them so the
// test sync loop (test/support/gitops-controller.ts) can write their status as the controllers do.
//
// Versions: the newest releases that `go mod download` accepts with this machine's Go (1.26).
// argo-cd v3.6.1 and kustomize-controller v1.10.1 need Go >= 1.27 (their go.mod), so v3.5.7 and v1.9.6.
import { join } from 'node:path';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { downloadModule, type PinnedModule } from './go-module.ts';
import { crdsInFile } from './istio-crds.ts';

export const ARGO_CD_MODULE: PinnedModule = { path: 'github.com/argoproj/argo-cd/v3', version: 'v3.5.7', sum: 'h1:Xm1BF+I5OgDKUG3SDK49vn2/Y5AMyaNVko+/JT08gj0=' };
export const FLUX_KUSTOMIZE_MODULE: PinnedModule = { path: 'github.com/fluxcd/kustomize-controller', version: 'v1.9.6', sum: 'h1:XB+G3A0mky0j5uVHZWv4oSlS2RvZBoNIUhstIvY0JKE=' };

export async function loadGitOpsCrds(): Promise<V1CustomResourceDefinition[]> {
  const argo = await downloadModule(ARGO_CD_MODULE);
  const flux = await downloadModule(FLUX_KUSTOMIZE_MODULE);
  return [
    ...crdsInFile(join(argo, 'manifests', 'crds', 'application-crd.yaml')),
    ...crdsInFile(join(flux, 'config', 'crd', 'bases', 'kustomize.toolkit.fluxcd.io_kustomizations.yaml')),
  ];
}

// `node test/env/gitops-crds.ts download`: fetch both modules into the Go module cache (setup.sh).
if (import.meta.filename === process.argv[1] && process.argv[2] === 'download') {
  const crds = await loadGitOpsCrds();
  console.log(`GitOps CRDs: ${crds.map((crd) => crd.metadata?.name).join(', ')}`);
}
