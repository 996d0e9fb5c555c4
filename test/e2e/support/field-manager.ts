// Writes to the API server under a chosen field manager, the way other tools would: kubectl's
// client-side apply (create/PUT with its manager name), a GitOps controller, a person's script.
import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { ISTIO_NETWORKING_GROUP, waitFor, type IstioObject } from '../../env/cluster.ts';

const VIRTUAL_SERVICES = { group: ISTIO_NETWORKING_GROUP, version: 'v1', plural: 'virtualservices' };
const RESOURCES = { VirtualService: VIRTUAL_SERVICES, HTTPRoute: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes' } };

/** POST as `fieldManager`. */
export async function createAs(kc: KubeConfig, object: IstioObject, fieldManager: string): Promise<IstioObject> {
  return (await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    ...VIRTUAL_SERVICES,
    namespace: object.metadata.namespace,
    body: object,
    fieldManager,
  })) as IstioObject;
}

/**
 * Read-modify-write of a VirtualService (or, with `kind`, an HTTPRoute) as `fieldManager`, guarded by
 * resourceVersion: a lost race (409, someone wrote in between) re-reads and edits again. Returns what
 * the server stored.
 */
export async function editAs(
  kc: KubeConfig,
  ref: { namespace: string; name: string; kind?: keyof typeof RESOURCES },
  fieldManager: string,
  edit: (object: IstioObject) => IstioObject,
): Promise<IstioObject> {
  const resource = { ...RESOURCES[ref.kind ?? 'VirtualService'], namespace: ref.namespace, name: ref.name };
  const api = kc.makeApiClient(CustomObjectsApi);
  return waitFor(async () => {
    const live = (await api.getNamespacedCustomObject(resource)) as IstioObject;
    try {
      return (await api.replaceNamespacedCustomObject({ ...resource, body: edit(structuredClone(live)), fieldManager })) as IstioObject;
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return undefined;
      throw error;
    }
  }, { timeoutMs: 20_000, intervalMs: 50, what: `${fieldManager} to write ${ref.namespace}/${ref.name}` });
}
