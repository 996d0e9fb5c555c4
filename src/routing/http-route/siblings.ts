// The other routes that compete with ours for a request: Gateway API ranks the matches of every route
// attached to the same parent together, so the precedence proof (reach.ts) must see them. A parent
// is its group, kind, namespace and name; port and section are ignored, which can only add routes
// to a proof (a refusal more, never a missed competitor).
import type { HTTPRoute, ParentRef } from './types.ts';

function parentKey(route: HTTPRoute, parent: ParentRef): string {
  const group = parent.group ?? 'gateway.networking.k8s.io';
  const kind = parent.kind ?? 'Gateway';
  return `${group}/${kind}/${parent.namespace ?? route.metadata.namespace ?? ''}/${parent.name}`;
}

/** Per parent of `managed` (at least one group): the `others` attached to that same parent. */
export function siblingsByParent(managed: HTTPRoute, others: readonly HTTPRoute[]): HTTPRoute[][] {
  const parents = [...new Set((managed.spec.parentRefs ?? []).map((p) => parentKey(managed, p)))];
  if (parents.length === 0) return [[]];
  return parents.map((key) => others.filter((o) => o !== managed && (o.spec.parentRefs ?? []).some((p) => parentKey(o, p) === key)));
}
