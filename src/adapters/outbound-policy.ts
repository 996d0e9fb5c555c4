// Reads what decides the canary's outbound mode from the Kubernetes API: the namespace's
// `istio.io/rev` label, the mesh config ConfigMap (`istio` or `istio-<rev>`, key `mesh`) in the
// control plane's namespace, and the Sidecars of the canary's namespace and of the root namespace.
// Nothing here fails a release: what cannot be read (no permission, not found, an error) becomes a
// warning in the decision (src/istio/outbound-mode.ts), which falls back to spec.egress.mode.
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  decideOutboundMode,
  DEFAULT_ROOT_NAMESPACE,
  MeshConfigError,
  meshConfigMapName,
  readMeshOutboundConfig,
  type MeshOutboundConfig,
  type ModeDecision,
  type OutboundTrafficMode,
  type Readout,
} from '../istio/outbound-mode.ts';
import type { Sidecar } from '../istio/types.ts';
import { describeError } from '../errors.ts';

export const REVISION_LABEL = 'istio.io/rev';

export interface OutboundModeQuery {
  namespace: string;
  /** The canary's pod labels, as the spec gives them. */
  labels: Record<string, string>;
  /** spec.egress.mode. */
  fallback?: OutboundTrafficMode;
}

export interface OutboundModeOptions {
  /** Where istiod and its mesh config live. Default istio-system. */
  controlPlaneNamespace?: string;
}

function why(error: unknown): string {
  if (error instanceof ApiException) {
    if (error.code === 403) return 'forbidden: the credentials may not read it';
    if (error.code === 401) return 'unauthorized: the credentials were not accepted';
    const body = typeof error.body === 'string' ? error.body : '';
    const message = /"message":"([^"]*)"/.exec(body)?.[1];
    return `HTTP ${error.code}${message ? `: ${message}` : ''}`;
  }
  return describeError(error);
}

async function readout<T>(where: string, read: () => Promise<T>): Promise<Readout<T>> {
  try {
    return { kind: 'read', value: await read(), where };
  } catch (e) {
    if (e instanceof ApiException && e.code === 404) return { kind: 'missing', where };
    if (e instanceof MeshConfigError) return { kind: 'unreadable', where, why: e.message };
    return { kind: 'unreadable', where, why: why(e) };
  }
}

/** Reads the inputs and decides; never throws for what the cluster will not tell. */
export async function detectOutboundMode(kc: KubeConfig, query: OutboundModeQuery, options: OutboundModeOptions = {}): Promise<ModeDecision & { revision?: string }> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const controlPlane = options.controlPlaneNamespace ?? 'istio-system';
  const extraWarnings: string[] = [];

  const ns = await readout(`Namespace ${query.namespace}`, () => core.readNamespace({ name: query.namespace }));
  let revision: string | undefined;
  if (ns.kind === 'read') revision = ns.value.metadata?.labels?.[REVISION_LABEL];
  else if (ns.kind === 'unreadable') extraWarnings.push(`cannot read ${ns.where} (${ns.why}); assuming it uses the default control plane revision`);

  const configMap = meshConfigMapName(revision);
  const meshWhere = `ConfigMap ${controlPlane}/${configMap}`;
  const mesh: Readout<MeshOutboundConfig> = await readout(meshWhere, async () => {
    const cm = await core.readNamespacedConfigMap({ name: configMap, namespace: controlPlane });
    return readMeshOutboundConfig(cm.data?.mesh ?? '', `${meshWhere} key mesh`);
  });
  const rootNamespace = mesh.kind === 'read' ? mesh.value.rootNamespace : DEFAULT_ROOT_NAMESPACE;

  const listSidecars = async (namespace: string): Promise<Sidecar[]> => {
    const list = (await custom.listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace, plural: 'sidecars' })) as { items?: Sidecar[] };
    return (list.items ?? []).map((s) => ({ ...s, metadata: { ...s.metadata, namespace: s.metadata.namespace ?? namespace } }));
  };
  // The root namespace's Sidecars are read apart: a Role in the release's namespace may not reach them.
  let sidecars: Readout<Sidecar[]> = await readout(`namespace ${query.namespace}`, () => listSidecars(query.namespace));
  if (rootNamespace !== query.namespace && sidecars.kind === 'read') {
    const root = await readout(`namespace ${rootNamespace}`, () => listSidecars(rootNamespace));
    if (root.kind === 'read') sidecars = { ...sidecars, value: [...sidecars.value, ...root.value] };
    else if (root.kind === 'unreadable') extraWarnings.push(`cannot read the Sidecars in the root namespace ${rootNamespace} (${root.why}); a mesh-wide Sidecar there could set the canary's outbound mode`);
  }

  const decision = decideOutboundMode({ mesh, sidecars, namespace: query.namespace, labels: query.labels, ...(query.fallback ? { fallback: query.fallback } : {}) });
  return { ...decision, warnings: [...extraWarnings, ...decision.warnings], ...(revision ? { revision } : {}) };
}
