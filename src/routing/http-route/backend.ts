// The Gateway API's HTTPRoute as a routing backend: one object, the HTTPRoute, carries the whole
// release (one Service per version, no subsets) and the rollout state. The owned rule gets the
// stage's backendRef weights and RequestMirror, the dark-launch rule goes before it; the edits are
// the pure ones of this folder, which this wraps in the backend interface.
import { InputError } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import { describeRef, type ObjectRef } from '../../plan/objects.ts';
import type { PlanOptions, RoutingObject, StageRouting } from '../../plan/types.ts';
import { shortPath, TOO_DEEP, tooDeep } from '../../spec/depth.ts';
import type { CanarySpec, StringMatch } from '../../spec/types.ts';
import type { ListRequest, RoutingBackend, Stripped } from '../backend.ts';
import { ISTIO_GATEWAY_CONTROLLER, routeAcceptance } from './acceptance.ts';
import { applyStage, readTraffic, stripCanary, type Baseline, type HttpRouteCanary, type StageTraffic } from './traffic.ts';
import { checkFirstRun } from './first-run.ts';
import { otherRulesToStable } from './owned-rule.ts';
import { competitionByParent, competitionNotes, needsOtherNamespaces, type ParentCompetition } from './siblings.ts';
import { HTTP_ROUTE_API_VERSION, type HTTPRoute } from './types.ts';
import { validateHttpRoute } from './validate.ts';

interface Base {
  baseline: Baseline;
  canary: HttpRouteCanary;
  live: HTTPRoute;
  /** Per parent of the route, the other HTTPRoutes ranked with it there (the precedence proof's competitors). */
  competition: ParentCompetition[];
}

export function httpRouteRef(spec: CanarySpec): ObjectRef {
  return { apiVersion: HTTP_ROUTE_API_VERSION, kind: 'HTTPRoute', namespace: spec.namespace, name: spec.httpRoute?.name ?? '' };
}

function canaryOf(spec: CanarySpec): HttpRouteCanary {
  return {
    canaryName: spec.name,
    ...(spec.route !== undefined ? { rule: spec.route } : {}),
    services: { namespace: spec.namespace, stable: spec.stable.service ?? '', canary: spec.canary.service ?? '' },
  };
}

/** A stage's routing as this folder's edits take it. */
export function stageTraffic(routing: StageRouting): StageTraffic {
  const d = routing.destinations;
  const canaryWeight = d.to === 'stable' ? 0 : d.to === 'canary' ? 100 : d.canaryWeight;
  return {
    canaryWeight,
    mirrorPercentage: routing.mirrorPercentage ?? 0,
    ...(routing.headers ? { headers: routing.headers as Record<string, StringMatch> } : {}),
  };
}

function problemsOnly(produced: HTTPRoute, live: HTTPRoute | undefined) {
  const before = new Set((live ? validateHttpRoute(live) : []).map((p) => `${p.path}\0${p.message}`));
  return validateHttpRoute(produced).filter((p) => !before.has(`${p.path}\0${p.message}`));
}

export const httpRouteBackend: RoutingBackend<Base> = {
  name: 'HTTPRoute',
  reads: (spec) => [
    {
      ref: httpRouteRef(spec),
      ifMissing: { file: spec.source.file, path: 'spec.httpRoute', message: `${describeRef(httpRouteRef(spec))} does not exist: create it first (istio-canary edits an existing HTTPRoute)` },
    },
  ],
  lists,
  stateObject: httpRouteRef,
  strip,
  apply: (_spec, { base }, routing) => [stageRoutes(base, routing)[0]!.route as unknown as RoutingObject],
  stageNotes: (_spec, { base }, routing) => stageRoutes(base, routing).flatMap((s) => (s.reach ? [s.reach.statement] : [])),
  readTraffic: (_spec, { base }) => readTraffic(base.live, base.canary),
  validate: (produced, live) => {
    const problems = problemsOnly(produced as unknown as HTTPRoute, live as unknown as HTTPRoute | undefined);
    if (problems.length > 0) throw new InputError(problems);
  },
  // One object: nothing to order.
  links: { provides: () => [], uses: () => [] },
  // Versions are Services, not pod labels of a subset.
  versionLabels: () => undefined,
  // The dark-launch rule has carried its mark from the start: there is no unmarked rule to adopt.
  legacyRuleNote: () => '',
};

/** One stage per parent of the route (each parent ranks its own routes: one proof each); the route is the same for each. */
function stageRoutes(base: Base, routing: StageRouting) {
  return base.competition.map((c) => applyStage(base.baseline, base.canary, stageTraffic(routing), c.siblings, c.parent));
}

/**
 * Every HTTPRoute of the namespace; and of every namespace when our route's parents admit routes from
 * elsewhere (a Gateway, or our own Service where consumer routes of other namespaces take their clients).
 * That list needs cluster-wide permission: without it the release goes on and says what it did not check.
 */
function lists(spec: CanarySpec, read: readonly RoutingObject[]): ListRequest[] {
  const kind = { apiVersion: HTTP_ROUTE_API_VERSION, kind: 'HTTPRoute' };
  const own: ListRequest = { ref: { ...kind, namespace: spec.namespace }, labels: {} };
  const route = read.find((o) => o.kind === 'HTTPRoute') as unknown as HTTPRoute | undefined;
  if (!route || !needsOtherNamespaces(route)) return [own];
  return [own, { ref: kind, labels: {}, ifForbidden: uncheckedElsewhere(route) }];
}

/** What goes unchecked when HTTPRoutes of other namespaces cannot be listed. */
export function uncheckedElsewhere(route: HTTPRoute): string {
  const parents = [...new Set((route.spec.parentRefs ?? []).map((p) => `${p.kind ?? 'Gateway'} ${p.namespace ?? route.metadata.namespace}/${p.name}`))].join(', ');
  return `HTTPRoutes in namespaces other than ${route.metadata.namespace} on ${parents} (routes attached to a Gateway from other namespaces, and GAMMA consumer routes whose clients would not follow this one) were not checked: listing HTTPRoutes in all namespaces was refused (it needs list on httproutes.gateway.networking.k8s.io cluster-wide, a ClusterRole)`;
}

function strip(spec: CanarySpec, live: readonly RoutingObject[], options: PlanOptions): Stripped<Base> {
  const ref = httpRouteRef(spec);
  const found = live.find((o) => o.kind === 'HTTPRoute' && o.metadata.name === ref.name) ?? live[0];
  if (!found) throw new InputError({ file: spec.source.file, path: 'spec.httpRoute', message: `no HTTPRoute given to plan ${spec.name} against` });
  const deep = tooDeep(found);
  if (deep) throw new InputError(objectProblem(found as HTTPRoute, shortPath(deep), TOO_DEEP));
  if (found.kind !== 'HTTPRoute') throw new InputError(objectProblem(found as HTTPRoute, 'kind', 'expected kind HTTPRoute'));
  if (found.metadata.name !== ref.name) throw new InputError(objectProblem(found as HTTPRoute, 'metadata.name', `expected the HTTPRoute '${ref.name}' named in the spec`));
  const ns = found.metadata.namespace;
  if (ns !== undefined && ns !== spec.namespace) throw new InputError(objectProblem(found as HTTPRoute, 'metadata.namespace', `expected namespace '${spec.namespace}' from the spec`));
  // Manifests from files often omit the namespace; the spec's is where they live.
  const route = { ...(found as unknown as HTTPRoute), metadata: { ...found.metadata, namespace: spec.namespace } } as HTTPRoute;
  const canary = canaryOf(spec);
  const baseline = stripCanary(route, canary, { rollback: options.tolerateExistingProblems === true });
  if (options.unrecorded) checkFirstRun(route, canary);
  const object = baseline.route as unknown as RoutingObject;
  const others = live.filter((o) => o !== found && o.kind === 'HTTPRoute') as unknown as HTTPRoute[];
  const named = others.map((o) => ({ ...o, metadata: { ...o.metadata, namespace: o.metadata.namespace ?? spec.namespace } }));
  const competition = competitionByParent(route, named, { dataPlane: spec.dataPlane ?? 'sidecar' });
  const notes = [...competitionNotes(competition), ...unreleasedNote(baseline, canary, ref), ...refusalNote(route, ref)];
  return { base: { baseline, canary, live: route, competition }, baseline: [object], before: [object], ...(notes.length ? { notes } : {}) };
}

/** Istio's refusal of the route as it is now, read from its status: every command says it, so
 * `status` tells a route that is not in effect (and a run, why its first write will be refused). */
function refusalNote(route: HTTPRoute, ref: ObjectRef): string[] {
  const acceptance = routeAcceptance(route);
  if (acceptance.state !== 'refused') return [];
  return [`Istio (${ISTIO_GATEWAY_CONTROLLER}) reports ${describeRef(ref)} as it is now (generation ${route.metadata.generation}) not in effect: ${acceptance.message}`];
}

/** `spec.rules[1] (main)`: a rule by index, and by name when it has one. */
function ruleText(route: HTTPRoute, index: number): string {
  const name = route.spec.rules![index]!.name;
  return `spec.rules[${index}]${name ? ` (${name})` : ''}`;
}

/** Other rules that send to the stable Service: their requests are not released. */
function unreleasedNote(baseline: Baseline, canary: HttpRouteCanary, ref: ObjectRef): string[] {
  const route = baseline.route;
  const others = otherRulesToStable(route, baseline.ownedIndex, { ...canary.services, namespace: ref.namespace });
  if (others.length === 0) return [];
  const stable = canary.services.stable;
  const one = others.length === 1;
  return [
    `${describeRef(ref)} ${others.map((i) => ruleText(route, i)).join(', ')} also ${one ? 'sends' : 'send'} to the stable Service '${stable}'; the release shifts only ${ruleText(route, baseline.ownedIndex)}, so the requests ${one ? 'that rule matches' : 'those rules match'} stay on '${stable}' at every stage and after promotion`,
  ];
}
