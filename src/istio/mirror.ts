// Mirroring the owned route's traffic to the canary version. Only a mirror this canary set is ever
// removed; a route that already mirrors elsewhere is refused rather than silently redirected.
import { InputError } from '../errors.ts';
import { omit } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import { canaryDestination, type CanaryTarget, type Destinations } from './destinations.ts';
import type { HttpRoute, VirtualService } from './types.ts';

/** The route mirrors to this canary's version (the trace a mirror stage leaves). */
export function hasOwnMirror(route: HttpRoute, t: CanaryTarget, namespace: string): boolean {
  const m = route.mirror;
  return m !== undefined && m.subset === t.canary.subset && sameHost(m.host ?? '', t.canary.host, namespace);
}

/** The route without this canary's mirror and its percentage; a foreign mirror stays. */
export function withoutOwnMirror(route: HttpRoute, t: CanaryTarget, namespace: string): HttpRoute {
  return hasOwnMirror(route, t, namespace) ? omit(route, ['mirror', 'mirrorPercentage']) : route;
}

const WAY_OUT = 'remove the mirror, or leave out the mirror stage (or, among several routes, release the others with `route:`)';

/** InputError when the owned route (already without our mirror) mirrors somewhere else. */
export function checkNoForeignMirror(vs: VirtualService, index: number, route: HttpRoute): void {
  const path = `spec.http[${index}]`;
  if (route.mirrors !== undefined) {
    throw new InputError(objectProblem(vs, `${path}.mirrors`, `the route already mirrors its requests (\`mirrors\`), and Istio allows one of \`mirror\` and \`mirrors\` on a route, so the mirror stage cannot add its own: ${WAY_OUT}`));
  }
  if (route.mirror !== undefined) {
    const m = route.mirror;
    throw new InputError(objectProblem(vs, `${path}.mirror`, `the route already mirrors its requests to '${m.host}'${m.subset ? ` subset '${m.subset}'` : ''}, and a route has one \`mirror\`, so the mirror stage cannot add its own: ${WAY_OUT}`));
  }
}

/** The route mirroring `percentage` % of its requests to the canary (explicit percentage: unset means 100). */
export function withMirror(route: HttpRoute, d: Destinations, t: CanaryTarget, percentage: number): HttpRoute {
  const mirror = structuredClone(canaryDestination(d, t).destination);
  return { ...omit(route, ['mirror', 'mirrorPercentage']), mirror, mirrorPercentage: { value: percentage } };
}
