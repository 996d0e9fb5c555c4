// Stands in for Istio's Gateway API controller writing HTTPRoute status: for every parentRef
// Istio serves (a Service — mesh or waypoint — or a Gateway of the world) one entry of
// `status.parents` with controllerName `istio.io/gateway-controller`, conditions Accepted and
// ResolvedRefs for the route's current generation, with Istio's reasons and messages (parent not
// found: Accepted False NoMatchingParent; a backend or mirror Service that does not exist:
// ResolvedRefs False BackendNotFound "backend(<host>) not found"). Entries of other controllers
// are kept. A write happens only when the computed status differs from the stored one.

import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ISTIO_GATEWAY_CONTROLLER } from '../../src/routing/http-route/acceptance.ts';
import type { BackendObjectRef, HTTPRoute, ParentRef, RouteParentStatus } from '../../src/routing/http-route/types.ts';
import { serviceFqdn, type World } from './world.ts';


type Condition = NonNullable<RouteParentStatus['conditions']>[number];

function namespaceOf(route: HTTPRoute): string {
  return route.metadata.namespace ?? 'default';
}

function hasService(world: World, namespace: string, name: string): boolean {
  return world.services.some((s) => s.namespace === namespace && s.name === name);
}

function parentAccepted(world: World, route: HTTPRoute, p: ParentRef): { ok: boolean; message: string } {
  const ns = p.namespace ?? namespaceOf(route);
  if ((p.group === '' || p.group === 'core') && p.kind === 'Service') {
    return hasService(world, ns, p.name) ? { ok: true, message: 'Route was valid' } : { ok: false, message: `parent service: ${JSON.stringify(p.name)} not found` };
  }
  return world.gateways.some((g) => g.id === `${ns}/${p.name}`) ? { ok: true, message: 'Route was valid' } : { ok: false, message: `parent gateway: ${JSON.stringify(p.name)} not found` };
}

function missingBackend(world: World, route: HTTPRoute): string | undefined {
  const ns = namespaceOf(route);
  const refs: BackendObjectRef[] = (route.spec.rules ?? []).flatMap((rule) => [
    ...(rule.backendRefs ?? []),
    ...(rule.filters ?? []).flatMap((f) => (f.type === 'RequestMirror' && f.requestMirror ? [f.requestMirror.backendRef] : [])),
  ]);
  const missing = refs.find((r) => (r.kind ?? 'Service') === 'Service' && !hasService(world, r.namespace ?? ns, r.name));
  return missing === undefined ? undefined : `backend(${serviceFqdn(world, missing.namespace ?? ns, missing.name)}) not found`;
}

function condition(type: string, ok: boolean, reason: string, message: string, generation: number | undefined, previous: Condition | undefined, now: string): Condition {
  const status = ok ? 'True' : 'False';
  const same = previous?.status === status && previous.reason === reason && previous.message === message && previous.observedGeneration === generation;
  return { type, status, reason, message, ...(generation === undefined ? {} : { observedGeneration: generation }), lastTransitionTime: same ? String(previous.lastTransitionTime) : now };
}

const sameParent = (a: ParentRef, b: ParentRef) => JSON.stringify(a) === JSON.stringify(b);

/** The route's `status.parents` as Istio's controller would write it now (other controllers' entries kept). */
export function routeStatus(route: HTTPRoute, world: World, now: string): RouteParentStatus[] {
  const generation = route.metadata.generation;
  const previous = route.status?.parents ?? [];
  const others = previous.filter((p) => p.controllerName !== ISTIO_GATEWAY_CONTROLLER);
  const backend = missingBackend(world, route);
  const ours = (route.spec.parentRefs ?? []).map((parentRef) => {
    const before = previous.find((p) => p.controllerName === ISTIO_GATEWAY_CONTROLLER && sameParent(p.parentRef, parentRef))?.conditions ?? [];
    const accepted = parentAccepted(world, route, parentRef);
    const conditions = [
      condition('Accepted', accepted.ok, accepted.ok ? 'Accepted' : 'NoMatchingParent', accepted.message, generation, before.find((c) => c.type === 'Accepted'), now),
      condition('ResolvedRefs', backend === undefined, backend === undefined ? 'ResolvedRefs' : 'BackendNotFound', backend ?? 'All references resolved', generation, before.find((c) => c.type === 'ResolvedRefs'), now),
    ];
    return { parentRef, controllerName: ISTIO_GATEWAY_CONTROLLER, conditions };
  });
  return [...others, ...ours];
}

/** The status without transition times: what decides whether a write is needed. */
function signature(parents: readonly RouteParentStatus[]): string {
  return JSON.stringify(parents.map((p) => ({ ...p, conditions: (p.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c) })));
}

/**
 * Writes changed route status through the status subresource, one write at a time. Each route's
 * latest wanted status replaces any not yet written, and a status already written is not written
 * again while the watch has not delivered it back (every write is itself a change that triggers a
 * reconcile: without this, N routes would cost N² writes).
 */
export class RouteStatusWriter {
  private readonly api: CustomObjectsApi;
  private readonly log: (m: string) => void;
  private readonly pending = new Map<string, { route: HTTPRoute; parents: RouteParentStatus[]; signature: string }>();
  private readonly written = new Map<string, string>();
  private running = false;

  constructor(kc: KubeConfig, log: (m: string) => void) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.log = log;
  }

  reconcile(routes: readonly HTTPRoute[], world: World): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const route of routes) {
      const key = `${namespaceOf(route)}/${route.metadata.name}@${route.metadata.generation ?? 0}`;
      const parents = routeStatus(route, world, now);
      const wanted = signature(parents);
      if (wanted === signature(route.status?.parents ?? [])) {
        this.written.set(key, wanted);
        this.pending.delete(key);
        continue;
      }
      if (this.written.get(key) === wanted) continue;
      this.pending.set(key, { route, parents, signature: wanted });
    }
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let next = this.pending.entries().next(); !next.done; next = this.pending.entries().next()) {
        const [key, item] = next.value;
        this.pending.delete(key);
        if (await this.write(item.route, item.parents)) this.written.set(key, item.signature);
      }
    } finally {
      this.running = false;
    }
  }

  private async write(route: HTTPRoute, parents: RouteParentStatus[]): Promise<boolean> {
    try {
      await this.api.patchNamespacedCustomObjectStatus(
        {
          group: 'gateway.networking.k8s.io',
          version: 'v1',
          namespace: namespaceOf(route),
          plural: 'httproutes',
          name: route.metadata.name,
          body: { status: { parents } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      return true;
    } catch (e) {
      // The route may be gone already; the next change reconciles again.
      this.log(`status of HTTPRoute ${namespaceOf(route)}/${route.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }
}
