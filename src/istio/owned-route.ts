// Which http route of the VirtualService the canary manages: the one named by the spec's `route`,
// or else the single route without `match` (the catch-all). The canary's own header rule is never a
// candidate, so a VirtualService mid-release resolves to the same route as before it.
import { InputError } from '../errors.ts';
import { objectProblem } from './object-ref.ts';
import { lookAlikeHosts, sameHost } from './hosts.ts';
import type { HttpRoute, VirtualService } from './types.ts';

export interface OwnedRouteQuery {
  /** Route name from the spec, if given. */
  route?: string;
  /** Destination host the canary shifts traffic for. */
  host: string;
  /** Name of the canary's header rule, excluded from the candidates. */
  headerRuleName: string;
}

/** Index of the owned route in `vs.spec.http`; InputError when it is missing, ambiguous or unusable. */
export function findOwnedRoute(vs: VirtualService, query: OwnedRouteQuery): number {
  const index = query.route === undefined ? findCatchAll(vs, query.headerRuleName) : findNamed(vs, query.route);
  checkRouteUsable(vs, index, query.host);
  return index;
}

function findNamed(vs: VirtualService, name: string): number {
  const http = vs.spec.http ?? [];
  const index = http.findIndex((r) => r.name === name);
  if (index >= 0) return index;
  const names = http.map((r) => r.name).filter((n): n is string => typeof n === 'string');
  const known = names.length ? `routes named: ${names.map((n) => `'${n}'`).join(', ')}` : 'no http route has a name';
  throw new InputError(objectProblem(vs, 'spec.http', `no http route named '${name}' (${known}); expected the name given as the spec's route`));
}

function findCatchAll(vs: VirtualService, headerRuleName: string): number {
  const candidates = (vs.spec.http ?? [])
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => r.name !== headerRuleName && (r.match === undefined || r.match.length === 0))
    .map(({ i }) => i);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new InputError(objectProblem(vs, 'spec.http', 'no http route without `match` to manage; name the route with `route:` in the spec'));
  }
  const where = candidates.map((i) => `spec.http[${i}]`).join(', ');
  throw new InputError(objectProblem(vs, 'spec.http', `${candidates.length} http routes without \`match\` (${where}); name the one to manage with \`route:\` in the spec`));
}

const UNMANAGEABLE = ['delegate', 'redirect', 'directResponse'] as const;

function checkRouteUsable(vs: VirtualService, index: number, host: string): void {
  const route: HttpRoute = vs.spec.http![index]!;
  const namespace = vs.metadata.namespace ?? '';
  for (const field of UNMANAGEABLE) {
    if (route[field] !== undefined) {
      throw new InputError(objectProblem(vs, `spec.http[${index}].${field}`, `the owned route uses \`${field}\`; istio-canary manages a route that sends traffic with \`route:\` destinations`));
    }
  }
  const destinations = route.route ?? [];
  if (!destinations.some((d) => sameHost(d.destination?.host ?? '', host, namespace))) {
    destinations.forEach((d, k) => {
      const alike = lookAlikeHosts(host, d.destination?.host ?? '', namespace);
      if (alike === undefined) return;
      throw new InputError(objectProblem(vs, `spec.http[${index}].route[${k}].destination.host`,
        `host '${d.destination.host}' is not the Canary spec's spec.host '${host}' to Istio: it reads spec.host as '${alike.a}' and this host as '${alike.b}' (only a host without a dot is expanded with the namespace; every other host, 'name.namespace' included, is compared as written); expected spec.host and the owned route's destination host to resolve to the same service, e.g. '${alike.fqdn}' in both`));
    });
    const found = destinations.map((d) => `'${d.destination?.host}'`).join(', ') || 'none';
    throw new InputError(objectProblem(vs, `spec.http[${index}].route`, `no destination has host '${host}' (found: ${found}); expected the spec's host among the owned route's destinations`));
  }
}

