// The owned route's destinations. Before a release they point at the stable version (a subset of the
// host, the host without a subset, or — one Service per version — the stable Service); during it at
// the stable and canary versions with explicit weights. Any of those shapes is read back into one
// template (port, headers... of the destination) from which every stage's destinations are built, so
// a route mid-release yields the same destinations as before it.
import { InputError } from '../errors.ts';
import { clone } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import type { RouteDestination, VirtualService } from './types.ts';

/** One version as a route destination: a subset of the shared host, or its own host (no subset). */
export interface VersionDestination {
  host: string;
  subset?: string;
}

export interface CanaryTarget {
  stable: VersionDestination;
  canary: VersionDestination;
}

/** The host whose traffic the release shifts (the stable version's). */
export const shiftedHost = (t: CanaryTarget): string => t.stable.host;

/** Each version has its own Service: no subsets, no DestinationRule needed. */
export const hostPerVersion = (t: CanaryTarget): boolean => t.stable.subset === undefined;

/** A destination of the owned route without subset and weight: what every stage specialises. */
export type DestinationTemplate = RouteDestination;

/**
 * `idle`: weight 0 beside other destinations — another subset of the host or another host — so it gets
 * no traffic in any stage; it is kept exactly where and as it is (never ours to drop, never given
 * traffic). `unpinned`: the shared host without a subset (subset mode), pinned to stable by every stage.
 */
export type Role = 'stable' | 'canary' | 'unpinned' | 'idle' | 'other';

export function roleOf(d: RouteDestination, t: CanaryTarget, namespace: string, weighted: boolean): Role {
  const host = d.destination?.host ?? '';
  const subset = d.destination?.subset;
  const is = (v: VersionDestination) => sameHost(host, v.host, namespace) && subset === v.subset;
  if (is(t.stable)) return 'stable';
  if (is(t.canary)) return 'canary';
  if (!hostPerVersion(t) && subset === undefined && sameHost(host, t.stable.host, namespace)) return 'unpinned';
  // A single destination gets everything whatever its weight; beside others, weight 0 means none.
  if (weighted && d.weight === 0) return 'idle';
  return 'other';
}

/** The roles of route `index`'s destinations. */
export function rolesOf(vs: VirtualService, index: number, t: CanaryTarget): Role[] {
  const destinations = vs.spec.http![index]!.route ?? [];
  return destinations.map((d) => roleOf(d, t, vs.metadata.namespace ?? '', destinations.length > 1));
}

/** The template of the owned route `index`; InputError when it also routes elsewhere or spreads a version. */
export function destinationTemplate(vs: VirtualService, index: number, target: CanaryTarget): DestinationTemplate {
  const destinations = vs.spec.http![index]!.route ?? [];
  const roles = rolesOf(vs, index, target);
  roles.forEach((role, k) => {
    if (role === 'other') throw otherDestination(vs, index, k, target);
  });
  checkOnePerVersion(vs, index, roles);
  const pick = (role: Role) => destinations[roles.indexOf(role)];
  const chosen = pick('stable') ?? pick('unpinned') ?? pick('canary')!;
  const { weight: _weight, ...rest } = clone(chosen);
  const { subset: _subset, ...destination } = rest.destination;
  return { ...rest, destination };
}

function otherDestination(vs: VirtualService, index: number, k: number, t: CanaryTarget): InputError {
  const d = vs.spec.http![index]!.route![k]!;
  const path = `spec.http[${index}].route[${k}].destination`;
  const namespace = vs.metadata.namespace ?? '';
  const way = 'keep it at weight 0 (kept as it is), move it to a route of its own, or name another route with `route:` in the spec';
  if (sameHost(d.destination.host, t.stable.host, namespace) && d.destination.subset !== undefined && vs.spec.http![index]!.route!.length === 1) {
    return new InputError(objectProblem(vs, `${path}.subset`, `the route sends its traffic to subset '${d.destination.subset}', which is neither the stable subset '${t.stable.subset}' nor the canary subset '${t.canary.subset}'; expected the route of the stable version: if '${d.destination.subset}' is the version serving now, name it in the spec's \`stable.subset\` (with its labels), or name another route with \`route:\``));
  }
  if (sameHost(d.destination.host, t.stable.host, namespace) && d.destination.subset !== undefined) {
    return new InputError(objectProblem(vs, `${path}.subset`, `the route also sends ${d.weight ?? 'all its'} ${d.weight === undefined ? 'traffic' : '% of its traffic'} to subset '${d.destination.subset}', which is neither the stable subset '${t.stable.subset}' nor the canary subset '${t.canary.subset}'; every stage rewrites the route into one stable and one canary destination, which would cut it out: ${way}`));
  }
  return new InputError(objectProblem(vs, `${path}.host`, `the route also sends traffic to '${d.destination.host}' (weight ${d.weight ?? 'unset'}); shifting '${t.stable.host}' would change that host's share too: ${way}`));
}

/** Stages write one stable and one canary destination: a version spread over several (other ports,
 * header edits...) would silently lose all but one of them. */
function checkOnePerVersion(vs: VirtualService, index: number, roles: Role[]): void {
  const version = (role: Role) => (role === 'unpinned' ? 'stable' : role);
  roles.forEach((role, k) => {
    if (role === 'idle') return;
    const first = roles.findIndex((r) => version(r) === version(role));
    if (first === k) return;
    const at = (i: number) => `spec.http[${index}].route[${i}]`;
    throw new InputError(objectProblem(vs, at(k), `a second destination of the ${version(role)} version (after ${at(first)}); expected one destination per version, as every stage rewrites them into one stable and one canary destination`));
  });
}

/** The idle destinations of route `index` (weight 0 elsewhere), kept after ours in every stage. */
export function idleDestinations(vs: VirtualService, index: number, target: CanaryTarget): RouteDestination[] {
  const destinations = vs.spec.http![index]!.route ?? [];
  const roles = rolesOf(vs, index, target);
  return destinations.filter((_, k) => roles[k] === 'idle').map((d) => clone(d));
}

/** `version` as a destination built from the template: the template's host spelling when it is the same host. */
export function versionDestination(template: DestinationTemplate, version: VersionDestination, namespace: string, weight?: number): RouteDestination {
  const { subset: _subset, ...base } = clone(template.destination);
  const host = sameHost(base.host, version.host, namespace) ? base.host : version.host;
  const out: RouteDestination = { ...clone(template), destination: { ...base, host, ...(version.subset !== undefined ? { subset: version.subset } : {}) } };
  if (weight !== undefined) out.weight = weight;
  return out;
}

/** The weights of a stage's destinations: explicit whenever the route has more than one destination. */
export interface Destinations {
  template: DestinationTemplate;
  /** Weight-0 destinations of other versions or hosts, kept as they are after ours. */
  idle: RouteDestination[];
  namespace: string;
}

function withIdle(d: Destinations, ours: RouteDestination[], weights: number[]): RouteDestination[] {
  if (d.idle.length === 0) return ours;
  // Beside an idle destination ours need explicit weights (an unset weight beside others counts as 0).
  return [...ours.map((x, i) => ({ ...x, weight: weights[i]! })), ...clone(d.idle)];
}

/** Before the release and while nothing is shifted: everything to stable (a subset-less destination gets pinned). */
export function allToStable(d: Destinations, t: CanaryTarget): RouteDestination[] {
  return withIdle(d, [versionDestination(d.template, t.stable, d.namespace)], [100]);
}

/** Explicit weights on both versions, summing to 100 (a 0 weight keeps the canary referenced but idle). */
export function splitWeights(d: Destinations, t: CanaryTarget, canaryWeight: number): RouteDestination[] {
  return [
    versionDestination(d.template, t.stable, d.namespace, 100 - canaryWeight),
    versionDestination(d.template, t.canary, d.namespace, canaryWeight),
    ...clone(d.idle),
  ];
}

/** Promotion: a single destination, the canary version. */
export function allToCanary(d: Destinations, t: CanaryTarget): RouteDestination[] {
  return withIdle(d, [versionDestination(d.template, t.canary, d.namespace)], [100]);
}

/** The canary version as a plain destination (header rule, mirror). */
export function canaryDestination(d: Destinations, t: CanaryTarget): RouteDestination {
  return versionDestination(d.template, t.canary, d.namespace);
}
