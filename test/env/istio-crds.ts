// Istio's CustomResourceDefinitions from the Go module istio.io/api at a pinned release, fetched
// through the Go module proxy (checksum verified against the pin) and applied to the API server.
// applyIstioCrds and missingEstablished serve any CRDs (the GitOps controllers' too).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { downloadModule } from './go-module.ts';
import { waitFor } from './wait.ts';

export const ISTIO_API_MODULE = 'istio.io/api';
export const ISTIO_API_VERSION = 'v1.32.0';
/** go.sum hash of the module zip; a different download is refused. */
const ISTIO_API_SUM = 'h1:37mJvg9I0biYZAEQF+MATs4FNeCpXEIVO3LFpVb6iNM=';
const FIELD_MANAGER = 'istio-canary-mesh';

/** The CRDs of the pinned istio.io/api release, as objects. */
export async function loadIstioCrds(): Promise<V1CustomResourceDefinition[]> {
  const dir = await downloadModule({ path: ISTIO_API_MODULE, version: ISTIO_API_VERSION, sum: ISTIO_API_SUM });
  return crdsInFile(join(dir, 'kubernetes', 'customresourcedefinitions.gen.yaml'));
}

/** Every CustomResourceDefinition among a YAML file's documents. */
export function crdsInFile(file: string): V1CustomResourceDefinition[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as V1CustomResourceDefinition | null)
    .filter((crd): crd is V1CustomResourceDefinition => crd?.kind === 'CustomResourceDefinition');
}

/** Server-side applies every CRD and waits until each one is Established. */
export async function applyIstioCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[], timeoutMs: number): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    await api.patchCustomResourceDefinition(
      { name, body: crd, fieldManager: FIELD_MANAGER, force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }
  await waitFor(async () => (await missingEstablished(kc, crds)).length === 0, {
    timeoutMs,
    intervalMs: 200,
    what: 'every Istio CRD to be Established',
  });
}

/** Names of the given CRDs that the server does not have, or has but not yet Established. */
export async function missingEstablished(kc: KubeConfig, crds: V1CustomResourceDefinition[]): Promise<string[]> {
  const list = await kc.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
  const established = new Set(
    list.items
      .filter((crd) => crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
      .map((crd) => crd.metadata?.name),
  );
  return crds.map((crd) => crd.metadata?.name ?? '').filter((name) => !established.has(name));
}
