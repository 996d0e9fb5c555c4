// The other routes that compete with ours for a request, per parent of our route, as Istio decides
// which routes a request on that parent follows (read in istio.io/istio, and checked by the oracle
// cases of test/oracle/http-route-siblings.test.ts):
// - A Gateway ranks the matches of every route attached to it together, whatever namespace the route
//   is in (cross-namespace attachment, when the listener's allowedRoutes admits it). A route whose
//   status says Istio's controller did not accept it on that Gateway is not attached.
// - A Service (GAMMA, mesh and waypoint) is routed per client namespace: the controller builds one
//   VirtualService per route namespace and host, and a sidecar takes the one of its own namespace
//   first (pilot/pkg/model/virtualservice.go SelectVirtualServices: same-namespace Gateway API
//   routes first; the first virtual host for a domain wins). So a consumer route (in namespace B,
//   parent our Service in A) replaces every producer route for clients in B: they never see ours.
//   Producer routes (in the Service's namespace) compete with each other for everyone else.
// - Behind a waypoint (ambient) it is the waypoint that routes, for every client: it takes the routes
//   of the Service's namespace and of its own namespace, merged, and ignores the others
//   (pilot/pkg/networking/core/listener_waypoint.go getVirtualServiceForWaypoint). Consumer routes of
//   other namespaces then take no client away; a route of the waypoint's namespace would compete, but
//   the spec does not say where the waypoint is: the plan says so instead of guessing.
// A parent is its group, kind, namespace and name; port and section are ignored, which can only add
// routes to a proof (a refusal more, never a missed competitor).
import { ISTIO_GATEWAY_CONTROLLER } from './acceptance.ts';
import type { HTTPRoute, ParentRef } from './types.ts';

interface Parent {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** The routes ranked with ours on one parent, and the namespaces whose clients follow other routes there. */
export interface ParentCompetition {
  /** `Service shop/catalog`, `Gateway infra/public`. */
  parent: string;
  siblings: HTTPRoute[];
  /** Consumer routes (GAMMA) of other namespaces on our Service: their clients never follow our route. */
  bypassedBy: HTTPRoute[];
  /** Our route is itself a consumer route: only clients of its own namespace follow it. */
  consumerOnly?: string;
  /** Behind a waypoint: routes of other namespaces on our Service, which the waypoint ignores unless
   * their namespace is its own (then they would compete: not in the proof). */
  waypointElsewhere?: HTTPRoute[];
  /** Behind a waypoint: our route is not in the Service's namespace (applied only if it is the waypoint's). */
  waypointOwnNamespace?: string;
}

export interface CompetitionOptions {
  /** Who routes requests on a Service parent: each client's sidecar (default) or the Service's waypoint. */
  dataPlane?: 'sidecar' | 'waypoint';
}

function parentOf(route: HTTPRoute, ref: ParentRef): Parent {
  return { group: ref.group ?? 'gateway.networking.k8s.io', kind: ref.kind ?? 'Gateway', namespace: ref.namespace ?? route.metadata.namespace ?? '', name: ref.name };
}

const keyOf = (p: Parent) => `${p.group}/${p.kind}/${p.namespace}/${p.name}`;
const isService = (p: Parent) => p.kind === 'Service' && (p.group === '' || p.group === 'core');
export const describeParent = (p: Pick<Parent, 'kind' | 'namespace' | 'name'>) => `${p.kind} ${p.namespace}/${p.name}`;
export const routeName = (r: HTTPRoute) => `HTTPRoute ${r.metadata.namespace ?? ''}/${r.metadata.name}`;

/** Istio's controller said it does not attach `route` to `parent` (e.g. NotAllowedByListeners). */
function refusedOn(route: HTTPRoute, parent: Parent): boolean {
  return (route.status?.parents ?? []).some(
    (s) => s.controllerName === ISTIO_GATEWAY_CONTROLLER && keyOf(parentOf(route, s.parentRef)) === keyOf(parent) && s.conditions?.some((c) => c.type === 'Accepted' && c.status === 'False') === true,
  );
}

const attachedTo = (route: HTTPRoute, parent: Parent) => (route.spec.parentRefs ?? []).some((p) => keyOf(parentOf(route, p)) === keyOf(parent)) && !refusedOn(route, parent);

/** Per parent of `managed` (at least one entry): who competes with it there, and who bypasses it. */
export function competitionByParent(managed: HTTPRoute, others: readonly HTTPRoute[], options: CompetitionOptions = {}): ParentCompetition[] {
  const own = managed.metadata.namespace ?? '';
  const seen = new Set<string>();
  const parents = (managed.spec.parentRefs ?? []).map((p) => parentOf(managed, p)).filter((p) => !seen.has(keyOf(p)) && seen.add(keyOf(p)));
  if (parents.length === 0) return [{ parent: 'no parent', siblings: [], bypassedBy: [] }];
  const rivals = others.filter((o) => o !== managed && !(o.metadata.name === managed.metadata.name && (o.metadata.namespace ?? '') === own));
  return parents.map((parent) => {
    const on = rivals.filter((o) => attachedTo(o, parent));
    const parentText = describeParent(parent);
    if (!isService(parent)) return { parent: parentText, siblings: on, bypassedBy: [] };
    // A Service: our clients are the namespace our route serves; consumer routes elsewhere take theirs.
    const sameNamespace = on.filter((o) => (o.metadata.namespace ?? '') === own);
    if (options.dataPlane === 'waypoint') {
      const elsewhere = on.filter((o) => (o.metadata.namespace ?? '') !== own);
      return {
        parent: parentText,
        siblings: sameNamespace,
        bypassedBy: [],
        ...(elsewhere.length ? { waypointElsewhere: elsewhere } : {}),
        ...(own !== parent.namespace ? { waypointOwnNamespace: own } : {}),
      };
    }
    if (own !== parent.namespace) return { parent: parentText, siblings: sameNamespace, bypassedBy: [], consumerOnly: own };
    return { parent: parentText, siblings: sameNamespace, bypassedBy: on.filter((o) => (o.metadata.namespace ?? '') !== own) };
  });
}

/** Whether listing routes of other namespaces can change the proof: a Gateway parent, or our Service's own route (producer). */
export function needsOtherNamespaces(managed: HTTPRoute): boolean {
  return (managed.spec.parentRefs ?? []).some((ref) => {
    const p = parentOf(managed, ref);
    return !isService(p) || p.namespace === (managed.metadata.namespace ?? '');
  });
}

/** What a plan cannot promise on these parents, in plain words (empty when nothing). */
export function competitionNotes(competition: readonly ParentCompetition[]): string[] {
  return competition.flatMap((c) => {
    const notes: string[] = [];
    if (c.consumerOnly !== undefined) {
      notes.push(`on ${c.parent}, this HTTPRoute is a consumer route (GAMMA): only clients in namespace ${c.consumerOnly} follow it, so only their requests are released`);
    }
    if (c.waypointOwnNamespace !== undefined) {
      notes.push(`on ${c.parent}, behind a waypoint: the waypoint applies routes of the Service's namespace and of its own namespace only, so this HTTPRoute (namespace ${c.waypointOwnNamespace}) is in effect only if the waypoint runs in ${c.waypointOwnNamespace}`);
    }
    if (c.waypointElsewhere?.length) {
      notes.push(
        `on ${c.parent}, behind a waypoint: ${c.waypointElsewhere.map(routeName).join(', ')} (other namespaces) are ignored by the waypoint unless it runs in their namespace, where their rules would merge with these and could take part of the cohort; they are not in the precedence proof`,
      );
    }
    const byNamespace = new Map<string, HTTPRoute[]>();
    for (const r of c.bypassedBy) byNamespace.set(r.metadata.namespace ?? '', [...(byNamespace.get(r.metadata.namespace ?? '') ?? []), r]);
    for (const [namespace, routes] of [...byNamespace].sort(([a], [b]) => (a < b ? -1 : 1))) {
      notes.push(
        `on ${c.parent}, clients in namespace ${namespace} follow ${routes.map(routeName).join(', ')} (a consumer route, which Istio uses instead of this one for clients of that namespace): no request of theirs, the cohort's included, reaches the canary at any stage, and after promotion they still go where that route sends them`,
      );
    }
    return notes;
  });
}
