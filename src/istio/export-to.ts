// Visibility of the DestinationRule to the VirtualService's callers. Istio applies a DestinationRule
// only to proxies in the namespaces it is exported to; a proxy the VirtualService routes to a subset
// it cannot see answers 503 (NC). Pinning the owned route to the stable subset would do that to
// every such caller at the first stage, so a rule exported more narrowly than its routes is refused.
import { InputError } from '../errors.ts';
import { serviceNamespace } from './hosts.ts';
import { objectProblem, objectRef } from './object-ref.ts';
import type { DestinationRule, VirtualService } from './types.ts';

const EVERYWHERE = '*';

/** The namespaces an `exportTo` list reaches from `namespace`, or '*' for all (also when unset). */
function reach(exportTo: unknown, namespace: string): Set<string> | typeof EVERYWHERE {
  if (!Array.isArray(exportTo) || exportTo.length === 0 || exportTo.includes(EVERYWHERE)) return EVERYWHERE;
  // '.' is the object's own namespace; '~' exports to none.
  return new Set(exportTo.filter((e): e is string => typeof e === 'string' && e !== '~').map((e) => (e === '.' ? namespace : e)));
}

/** Is an object of `ownNamespace` with this `exportTo` visible to proxies in `clientNamespace`? */
export function isExportedTo(exportTo: unknown, ownNamespace: string, clientNamespace: string): boolean {
  const visible = reach(exportTo, ownNamespace);
  return visible === EVERYWHERE || visible.has(clientNamespace);
}

/** Where the proxies the VirtualService programs run: its export namespaces for the mesh, and its gateways' namespaces. */
function callers(vs: VirtualService, namespace: string): Set<string> | typeof EVERYWHERE {
  const gateways = vs.spec.gateways ?? [];
  const meshAudience = gateways.length === 0 || gateways.includes('mesh') ? reach(vs.spec.exportTo, namespace) : new Set<string>();
  if (meshAudience === EVERYWHERE) return EVERYWHERE;
  for (const gateway of gateways) if (gateway !== 'mesh') meshAudience.add(gatewayNamespace(gateway, namespace));
  return meshAudience;
}

/** `ns/name`, the legacy `name.ns.svc.cluster.local`, or a bare name in the VirtualService's namespace. */
function gatewayNamespace(gateway: string, namespace: string): string {
  if (gateway.includes('/')) return gateway.split('/')[0]!;
  return gateway.split('.')[1] ?? namespace;
}

/** InputError when some caller of `vs` could not see the subsets of `dr`. */
export function checkSubsetsVisible(vs: VirtualService, dr: DestinationRule, namespace: string): void {
  checkServiceNamespace(vs, dr, namespace);
  const visible = reach(dr.spec.exportTo, namespace);
  if (visible === EVERYWHERE) return;
  const audience = callers(vs, namespace);
  const missing = audience === EVERYWHERE ? [EVERYWHERE] : [...audience].filter((ns) => !visible.has(ns));
  if (missing.length === 0) return;
  const shown = (dr.spec.exportTo as string[]).join(', ');
  const where = audience === EVERYWHERE ? 'every namespace' : missing.join(', ');
  const fix = audience === EVERYWHERE ? '* (or leave it out)' : missing.join(', ');
  throw new InputError(objectProblem(dr, 'spec.exportTo', `exported to ${shown} only, but ${objectRef(vs)} routes callers in ${where} to its subsets, and callers that cannot see the subsets get 503 (NC); expected exportTo to include ${fix}`));
}

/**
 * Pilot looks a proxy's DestinationRule up in the proxy's own namespace, then in the service's
 * namespace (and the mesh root namespace): a rule in another namespace than its service's reaches
 * only proxies in its own namespace, whatever its exportTo. InputError when the VirtualService routes
 * callers elsewhere to such a rule's subsets.
 */
function checkServiceNamespace(vs: VirtualService, dr: DestinationRule, namespace: string): void {
  const service = serviceNamespace(dr.spec.host, namespace);
  if (service === undefined || service === namespace) return;
  const audience = callers(vs, namespace);
  const elsewhere = audience === EVERYWHERE ? ['every namespace'] : [...audience].filter((ns) => ns !== namespace);
  if (elsewhere.length === 0) return;
  throw new InputError(objectProblem(dr, 'spec.host', `host '${dr.spec.host}' is a service of namespace ${service}, and pilot applies a DestinationRule in ${namespace} to it only for proxies in ${namespace}; ${objectRef(vs)} routes callers in ${elsewhere.join(', ')} to its subsets, which would get 503 (NC); expected the canary in the service's namespace ${service}, or the VirtualService exported to '.' only`));
}
