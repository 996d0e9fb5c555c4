// CustomResourceDefinitions shipped inside Go modules (Istio's in istio.io/api, Gateway API's in
// sigs.k8s.io/gateway-api), fetched through the Go module proxy with the download's checksum checked
// against a pin, and server-side applied to the API server until each one is Established.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ApiextensionsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { waitFor } from './wait.ts';

const run = promisify(execFile);
const FIELD_MANAGER = 'istio-canary-mesh';

/** A pinned Go module and the CRD files inside it. */
export interface CrdModule {
  module: string;
  version: string;
  /** go.sum hash of the module zip; a different download is refused. */
  sum: string;
  /** Files of the module (paths relative to its root) holding CRDs. */
  files: readonly string[];
}

/** The module's directory in Go's module cache, downloading it (checksum checked) when missing. */
export async function moduleDir(m: Pick<CrdModule, 'module' | 'version' | 'sum'>): Promise<string> {
  const id = `${m.module}@${m.version}`;
  const { stdout } = await run('go', ['mod', 'download', '-json', id], { maxBuffer: 4 * 1024 * 1024 });
  const download = JSON.parse(stdout) as { Dir?: string; Sum?: string; Error?: string };
  if (download.Error !== undefined || download.Dir === undefined) {
    throw new Error(`go mod download ${id} failed: ${download.Error ?? 'no directory'}`);
  }
  if (download.Sum !== m.sum) throw new Error(`${id} has checksum ${download.Sum}, expected ${m.sum}`);
  return download.Dir;
}

/** Every CustomResourceDefinition in the module's CRD files, as objects. */
export async function loadModuleCrds(m: CrdModule): Promise<V1CustomResourceDefinition[]> {
  const dir = await moduleDir(m);
  return m.files.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((doc) => doc.toJS() as V1CustomResourceDefinition | null)
      .filter((crd): crd is V1CustomResourceDefinition => crd?.kind === 'CustomResourceDefinition'),
  );
}

/** Server-side applies every CRD and waits until each one is Established. */
export async function applyCrds(kc: KubeConfig, crds: V1CustomResourceDefinition[], timeoutMs: number): Promise<void> {
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
    what: `every CRD (${crds.map((c) => c.metadata?.name).join(', ')}) to be Established`,
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
