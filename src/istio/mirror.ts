// Mirroring the owned route's traffic to the canary subset. Only a mirror this canary set is ever
// removed; a route that already mirrors elsewhere is refused rather than silently redirected.
import { InputError } from '../errors.ts';
import { omit } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import type { CanaryTarget, DestinationTemplate } from './destinations.ts';
import type { HttpRoute, VirtualService } from './types.ts';

/** The route mirrors to this canary's subset (the trace a mirror stage leaves). */
export function hasOwnMirror(route: HttpRoute, t: CanaryTarget, namespace: string): boolean {
  const m = route.mirror;
  return m !== undefined && m.subset === t.canarySubset && sameHost(m.host ?? '', t.host, namespace);
}

/** The route without this canary's mirror and its percentage; a foreign mirror stays. */
export function withoutOwnMirror(route: HttpRoute, t: CanaryTarget, namespace: string): HttpRoute {
  return hasOwnMirror(route, t, namespace) ? omit(route, ['mirror', 'mirrorPercentage']) : route;
}

/** InputError when the owned route (already without our mirror) mirrors somewhere else. */
export function checkNoForeignMirror(vs: VirtualService, index: number, route: HttpRoute): void {
  const path = `spec.http[${index}]`;
  if (route.mirrors !== undefined) {
    throw new InputError(objectProblem(vs, `${path}.mirrors`, 'the owned route already has `mirrors`; a mirror stage needs the route without mirrors (Istio allows `mirror` or `mirrors`, not both)'));
  }
  if (route.mirror !== undefined) {
    const m = route.mirror;
    throw new InputError(objectProblem(vs, `${path}.mirror`, `the owned route already mirrors to '${m.host}'${m.subset ? ` subset '${m.subset}'` : ''}; a mirror stage needs a route without a mirror`));
  }
}

/** The route mirroring `percentage` % of its requests to the canary subset (explicit percentage: unset means 100). */
export function withMirror(route: HttpRoute, template: DestinationTemplate, t: CanaryTarget, percentage: number): HttpRoute {
  const mirror = { ...structuredClone(template.destination), subset: t.canarySubset };
  return { ...omit(route, ['mirror', 'mirrorPercentage']), mirror, mirrorPercentage: { value: percentage } };
}
