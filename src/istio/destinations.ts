// The owned route's destinations. Before a release they point at the host, with or without the
// stable subset; during it at the stable and canary subsets with explicit weights. Any of those
// shapes is read back into one template (port, headers... of the destination) from which every
// stage's destinations are built, so a route mid-release yields the same destinations as before it.
import { InputError } from '../errors.ts';
import { clone } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import type { RouteDestination, VirtualService } from './types.ts';

export interface CanaryTarget {
  host: string;
  stableSubset: string;
  canarySubset: string;
}

/** A destination of the owned route without subset and weight: what every stage specialises. */
export type DestinationTemplate = RouteDestination;

/** `idle`: weight 0 beside other destinations, so it gets no traffic — e.g. the canary subset of an
 * earlier release that was rolled back (stable 100 / old canary 0); every stage drops it. */
type Role = 'stable' | 'canary' | 'unpinned' | 'idle';

/** The template of the owned route `index`; InputError when it also routes to other hosts or subsets. */
export function destinationTemplate(vs: VirtualService, index: number, target: CanaryTarget): DestinationTemplate {
  const destinations = vs.spec.http![index]!.route ?? [];
  const roles = destinations.map((d, k) => roleOf(vs, index, k, d, target, destinations.length > 1));
  checkOnePerVersion(vs, index, roles);
  const pick = (role: Role) => destinations[roles.indexOf(role)];
  const chosen = pick('stable') ?? pick('unpinned') ?? pick('canary')!;
  const { weight: _weight, ...rest } = clone(chosen);
  const { subset: _subset, ...destination } = rest.destination;
  return { ...rest, destination };
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

function roleOf(vs: VirtualService, index: number, k: number, d: RouteDestination, t: CanaryTarget, weighted: boolean): Role {
  const path = `spec.http[${index}].route[${k}].destination`;
  if (!sameHost(d.destination.host, t.host, vs.metadata.namespace ?? '')) {
    throw new InputError(objectProblem(vs, `${path}.host`, `the owned route also sends traffic to '${d.destination.host}'; expected only destinations of host '${t.host}'`));
  }
  const subset = d.destination.subset;
  if (subset === undefined) return 'unpinned';
  if (subset === t.stableSubset) return 'stable';
  if (subset === t.canarySubset) return 'canary';
  // A single destination gets everything whatever its weight; beside others, weight 0 means none.
  if (weighted && d.weight === 0) return 'idle';
  throw new InputError(objectProblem(vs, `${path}.subset`, `subset '${subset}' is neither the stable subset '${t.stableSubset}' nor the canary subset '${t.canarySubset}'`));
}

function toSubset(template: DestinationTemplate, subset: string, weight?: number): RouteDestination {
  const out: RouteDestination = { ...clone(template), destination: { ...clone(template.destination), subset } };
  if (weight !== undefined) out.weight = weight;
  return out;
}

/** Before the release and while nothing is shifted: everything to stable (a subset-less destination gets pinned). */
export function allToStable(template: DestinationTemplate, t: CanaryTarget): RouteDestination[] {
  return [toSubset(template, t.stableSubset)];
}

/** Explicit weights on both subsets, summing to 100 (a 0 weight keeps the canary cluster referenced but idle). */
export function splitWeights(template: DestinationTemplate, t: CanaryTarget, canaryWeight: number): RouteDestination[] {
  return [toSubset(template, t.stableSubset, 100 - canaryWeight), toSubset(template, t.canarySubset, canaryWeight)];
}

/** Promotion: a single destination, the canary subset. */
export function allToCanary(template: DestinationTemplate, t: CanaryTarget): RouteDestination[] {
  return [toSubset(template, t.canarySubset)];
}

/** The canary subset as a plain destination (header rule, mirror). */
export function canaryDestination(template: DestinationTemplate, t: CanaryTarget): RouteDestination {
  return toSubset(template, t.canarySubset);
}
