// When an HTTPRoute write is in effect: Istio's Gateway API controller (`istio.io/gateway-controller`)
// has reconciled the route's current generation for every parent and reports it Accepted with its
// references resolved. A condition that is False for the current generation is a refusal, with the
// controller's own reason and message; anything else (no entry yet, an older generation) is pending.
// Parents Istio does not serve (istio-parents.ts) never get an entry: they are not waited for, and a
// route with no parent Istio serves is not in effect at all.
import type { NotServed } from './istio-parents.ts';
import type { HTTPRoute, ParentRef } from './types.ts';

export const ISTIO_GATEWAY_CONTROLLER = 'istio.io/gateway-controller';

export type Acceptance = { state: 'accepted' } | { state: 'pending'; waitingFor: string } | { state: 'refused'; message: string } | { state: 'unserved'; message: string };

const sameParent = (a: ParentRef, b: ParentRef) =>
  a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '') && (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway') && (a.group ?? 'gateway.networking.k8s.io') === (b.group ?? 'gateway.networking.k8s.io') && a.port === b.port && a.sectionName === b.sectionName;

/** How a refusal names the parent: two parentRefs to one Gateway differ by listener (sectionName) or port. */
function parentName(p: ParentRef): string {
  const section = p.sectionName ? ` sectionName ${p.sectionName}` : '';
  return `${p.kind ?? 'Gateway'} ${p.namespace ? `${p.namespace}/` : ''}${p.name}${p.port ? `:${p.port}` : ''}${section}`;
}

export function routeAcceptance(route: HTTPRoute, notServed: readonly NotServed[] = []): Acceptance {
  const generation = route.metadata.generation;
  const entries = (route.status?.parents ?? []).filter((p) => p.controllerName === ISTIO_GATEWAY_CONTROLLER);
  const parents = (route.spec.parentRefs ?? []).filter((ref) => !notServed.some((n) => sameParent(n.ref, ref)));
  if (parents.length === 0 && notServed.length > 0) {
    return { state: 'unserved', message: `Istio serves none of its parents (${notServed.map((n) => n.why).join('; ')}), so it writes no status for the route and routes nothing by it` };
  }
  for (const parentRef of parents) {
    const entry = entries.find((e) => sameParent(e.parentRef, parentRef));
    const conditions = entry?.conditions ?? [];
    for (const type of ['Accepted', 'ResolvedRefs']) {
      const c = conditions.find((x) => x.type === type);
      if (c === undefined || c.observedGeneration !== generation) {
        return { state: 'pending', waitingFor: `${type} of ${parentName(parentRef)} for generation ${generation}` };
      }
      if (c.status !== 'True') {
        return { state: 'refused', message: `${parentName(parentRef)}: ${type} is ${c.status} (${c.reason ?? 'no reason'}): ${c.message ?? ''}`.trim() };
      }
    }
  }
  return { state: 'accepted' };
}
