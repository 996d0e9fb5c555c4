// Stands in for Istio's Gateway API controller writing HTTPRoute status: for every parentRef
// Istio serves (a Service — mesh or waypoint — or a listener of an Istio Gateway) one entry of
// `status.parents` with controllerName `istio.io/gateway-controller`, conditions Accepted and
// ResolvedRefs for the route's current generation, with Istio's reasons and messages
// (pilot/pkg/config/kube/gateway: referenceAllowed, createRouteStatus, buildDestination):
// - Accepted: a missing Service parent is NoMatchingParent; on a Gateway each listener is tried
//   (port, sectionName, hostnames, allowedRoutes namespaces and kinds) and any listener taking the
//   route accepts it ("bound to N parents" for several); else the least severe reason of
//   NotAllowedByListeners, NoMatchingListenerHostname, NoMatchingParent, messages joined. A
//   parentRef to a Gateway that is not Istio's (or not there) gets no entry at all.
// - ResolvedRefs: the last rule's backend problem (weight-0 backends are not looked at): a
//   Service that does not exist is BackendNotFound; on a Gateway a Service of another namespace
//   without a ReferenceGrant is RefNotPermitted (Istio checks no grants for mesh parents); a
//   mirror's problem is joined to its rule's with "; ".
// Entries of other controllers are kept. A write happens only when the computed status differs.

import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { ISTIO_GATEWAY_CONTROLLER } from '../../src/routing/http-route/acceptance.ts';
import type { BackendObjectRef, HTTPRoute, ParentRef, RouteParentStatus, RouteRule } from '../../src/routing/http-route/types.ts';
import { acceptedCondition, backendPermitted, isServiceParent, listenerDenial, namespaceOf, parentGateway, type Denial, type KubeGateway, type ReferenceGrant } from './gateway-api.ts';
import { serviceFqdn, type World } from './world.ts';

type Condition = NonNullable<RouteParentStatus['conditions']>[number];

/** What the controller reads besides the route: the world's Services, the Gateways and ReferenceGrants. */
export interface StatusInputs {
  world: World;
  gateways?: readonly KubeGateway[];
  referenceGrants?: readonly ReferenceGrant[];
}

function hasService(world: World, namespace: string, name: string): boolean {
  return world.services.some((s) => s.namespace === namespace && s.name === name);
}

/** One result per parent the ref reaches (the mesh, or each listener), or undefined when Istio does not serve it. */
function parentResults(inputs: StatusInputs, route: HTTPRoute, p: ParentRef): Array<Denial | undefined> | undefined {
  if (isServiceParent(p)) {
    const found = hasService(inputs.world, p.namespace ?? namespaceOf(route), p.name);
    return [found ? undefined : { reason: 'NoMatchingParent', message: `parent service: ${JSON.stringify(p.name)} not found` }];
  }
  const gateway = parentGateway(route, p, inputs.gateways ?? []);
  if (gateway === undefined || gateway.spec.listeners.length === 0) return undefined;
  // Istio joins the messages of equally ranked listeners in the order its index returns them, which
  // varies between runs; the simulator keeps the Gateway's order.
  return gateway.spec.listeners.map((l) => listenerDenial(route, p, gateway, l));
}

interface RefError {
  reason: string;
  message: string;
}

function refError(inputs: StatusInputs, route: HTTPRoute, ref: BackendObjectRef, enforceGrants: boolean): RefError | undefined {
  if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') return undefined;
  const ns = namespaceOf(route);
  const namespace = ref.namespace ?? ns;
  if (enforceGrants && !backendPermitted(inputs.referenceGrants ?? [], ns, namespace, ref.name)) {
    return { reason: 'RefNotPermitted', message: `backendRef ${ref.name}/${namespace} not accessible to a HTTPRoute in namespace ${JSON.stringify(ns)} (missing a ReferenceGrant?)` };
  }
  if (!hasService(inputs.world, namespace, ref.name)) return { reason: 'BackendNotFound', message: `backend(${serviceFqdn(inputs.world, namespace, ref.name)}) not found` };
  return undefined;
}

/** Istio's error for one rule: the last bad backend of weight > 0 (none when all weigh 0 and no redirect), the last bad mirror joined to it. */
function ruleError(inputs: StatusInputs, route: HTTPRoute, rule: RouteRule, enforceGrants: boolean): RefError | undefined {
  const last = (refs: BackendObjectRef[]) => refs.map((r) => refError(inputs, route, r, enforceGrants)).findLast((e) => e !== undefined);
  const mirrors = (rule.filters ?? []).flatMap((f) => (f.type === 'RequestMirror' && f.requestMirror ? [f.requestMirror.backendRef] : []));
  const mirrorError = last(mirrors);
  const weighted = (rule.backendRefs ?? []).filter((b) => (b.weight ?? 1) > 0);
  const redirects = (rule.filters ?? []).some((f) => f.type === 'RequestRedirect');
  const backendError = weighted.length === 0 && !redirects ? undefined : last(weighted);
  if (backendError === undefined) return mirrorError;
  return mirrorError === undefined ? backendError : { reason: backendError.reason, message: `${backendError.message}; ${mirrorError.message}` };
}

/** ResolvedRefs for the route as converted for the mesh or for a Gateway: the last rule with an error decides. */
function resolvedRefs(inputs: StatusInputs, route: HTTPRoute, enforceGrants: boolean): RefError | undefined {
  return (route.spec.rules ?? []).map((rule) => ruleError(inputs, route, rule, enforceGrants)).findLast((e) => e !== undefined);
}

function condition(type: string, ok: boolean, reason: string, message: string, generation: number | undefined, previous: Condition | undefined, now: string): Condition {
  const status = ok ? 'True' : 'False';
  const same = previous?.status === status && previous.reason === reason && previous.message === message && previous.observedGeneration === generation;
  return { type, status, reason, message, ...(generation === undefined ? {} : { observedGeneration: generation }), lastTransitionTime: same ? String(previous.lastTransitionTime) : now };
}

const sameParent = (a: ParentRef, b: ParentRef) => JSON.stringify(a) === JSON.stringify(b);

/** The route's `status.parents` as Istio's controller would write it now (other controllers' entries kept). */
export function routeStatus(route: HTTPRoute, inputs: StatusInputs, now: string): RouteParentStatus[] {
  const generation = route.metadata.generation;
  const previous = route.status?.parents ?? [];
  const others = previous.filter((p) => p.controllerName !== ISTIO_GATEWAY_CONTROLLER);
  const ours = (route.spec.parentRefs ?? []).flatMap((parentRef) => {
    const results = parentResults(inputs, route, parentRef);
    if (results === undefined) return [];
    const before = previous.find((p) => p.controllerName === ISTIO_GATEWAY_CONTROLLER && sameParent(p.parentRef, parentRef))?.conditions ?? [];
    const accepted = acceptedCondition(results);
    const refs = resolvedRefs(inputs, route, !isServiceParent(parentRef));
    const conditions = [
      condition('Accepted', accepted.ok, accepted.reason, accepted.message, generation, before.find((c) => c.type === 'Accepted'), now),
      condition('ResolvedRefs', refs === undefined, refs?.reason ?? 'ResolvedRefs', refs?.message ?? 'All references resolved', generation, before.find((c) => c.type === 'ResolvedRefs'), now),
    ];
    return [{ parentRef, controllerName: ISTIO_GATEWAY_CONTROLLER, conditions }];
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

  reconcile(routes: readonly HTTPRoute[], inputs: StatusInputs): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const route of routes) {
      const key = `${namespaceOf(route)}/${route.metadata.name}@${route.metadata.generation ?? 0}`;
      const parents = routeStatus(route, inputs, now);
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
