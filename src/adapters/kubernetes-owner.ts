// Who writes an object's routes besides us, read from the cluster's managedFields and the tracking
// labels/annotations GitOps controllers leave. A GitOps controller would revert every stage on its
// next sync, so the engine refuses to fight it; a person, kubectl or Helm is taken over.
import type { RouteOwner, RoutingObject } from '../core/ports.ts';
import type { ManagedFieldsEntry } from '../istio/types.ts';

/** Our field manager: every write of the Kubernetes adapter is made under this name. */
export const FIELD_MANAGER = 'istio-canary';

// Field manager names as the controllers register them: Argo CD's server-side apply manager
// (`argocd-controller`) and its client-side apply (the controller binary name); Flux's controllers.
const GITOPS_MANAGERS: Record<string, string> = {
  'argocd-controller': 'Argo CD',
  'argocd-application-controller': 'Argo CD',
  'kustomize-controller': 'Flux (kustomize-controller)',
  'helm-controller': 'Flux (helm-controller)',
};

// Tracking marks left on the objects they manage.
const GITOPS_LABELS: Record<string, string> = {
  'kustomize.toolkit.fluxcd.io/name': 'Flux (kustomize-controller)',
  'helm.toolkit.fluxcd.io/name': 'Flux (helm-controller)',
};
const GITOPS_ANNOTATIONS: Record<string, string> = {
  'argocd.argoproj.io/tracking-id': 'Argo CD',
};

/** The entry owns `spec.http`, the routes of a VirtualService. */
function ownsRoutes(entry: ManagedFieldsEntry): boolean {
  const fields = entry.fieldsV1 as { 'f:spec'?: Record<string, unknown> } | undefined;
  return fields?.['f:spec']?.['f:http'] !== undefined;
}

/** Decides who owns the routes (`spec.http` of a VirtualService) of an object as read. Pure. */
export function routeOwner(vs: RoutingObject): RouteOwner {
  const entries = (vs.metadata.managedFields ?? []).filter((e) => !e.subresource);
  for (const entry of entries) {
    const controller = entry.manager ? GITOPS_MANAGERS[entry.manager] : undefined;
    if (controller) return { kind: 'gitops', controller, evidence: `field manager "${entry.manager}" in managedFields` };
  }
  for (const [label, controller] of Object.entries(GITOPS_LABELS)) {
    if (vs.metadata.labels?.[label] !== undefined) return { kind: 'gitops', controller, evidence: `label ${label}` };
  }
  for (const [annotation, controller] of Object.entries(GITOPS_ANNOTATIONS)) {
    if (vs.metadata.annotations?.[annotation] !== undefined) return { kind: 'gitops', controller, evidence: `annotation ${annotation}` };
  }
  const routeWriters = entries.filter(ownsRoutes).sort((a, b) => Date.parse(b.time ?? '') - Date.parse(a.time ?? '') || 0);
  const last = routeWriters[0];
  if (!last?.manager) return entries.length === 0 ? { kind: 'unknown' } : { kind: 'self' };
  return last.manager === FIELD_MANAGER ? { kind: 'self' } : { kind: 'manager', manager: last.manager };
}
