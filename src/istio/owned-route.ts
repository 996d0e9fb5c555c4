// Which http routes of the VirtualService the canary manages. By default every route whose traffic
// for the host goes to the stable version — a gateway VirtualService often has several, each with
// its own match — except routes no request can reach (an earlier route catches all of theirs): those
// are reported, not owned. Once promoted, no route sends to stable any more, and the routes sending
// only to the canary are the owned ones. The spec's `route:` narrows it to one route, by name or by
// index. The canary's own header rules are never candidates, so a VirtualService mid-release resolves
// to the same routes as before it.
import { InputError } from '../errors.ts';
import { objectProblem } from './object-ref.ts';
import { lookAlikeHosts, sameHost } from './hosts.ts';
import { rolesOf, type CanaryTarget } from './destinations.ts';
import { routeCovers } from './shadowing.ts';
import type { HttpRoute, VirtualService } from './types.ts';

export interface OwnedRouteQuery {
  /** The spec's `route`: a route name, or an index into `spec.http` of the VirtualService without our header rules. */
  route?: string | number;
  target: CanaryTarget;
  /** Indices of this canary's header rules in the VirtualService: never candidates. */
  headerRules: number[];
}

export interface Ownership {
  /** Indices (in `spec.http`) of the owned routes, in order. */
  owned: number[];
  /** Routes that send to the stable version but that no request reaches (an earlier route catches every one). */
  shadowed: number[];
}

/** The owned routes; InputError when there is none, or the one named cannot be released. */
export function findOwnedRoutes(vs: VirtualService, query: OwnedRouteQuery): Ownership {
  const http = vs.spec.http ?? [];
  if (http.length === 0) throw noHttpRoutes(vs);
  if (query.route !== undefined) {
    const index = typeof query.route === 'number' ? byIndex(vs, query.route, query.headerRules) : byName(vs, query.route);
    checkRouteUsable(vs, index, query.target);
    return { owned: [index], shadowed: [] };
  }
  const candidates = (wanted: (roles: string[]) => boolean) =>
    http.flatMap((r, i) => (!query.headerRules.includes(i) && r.route && wanted(rolesOf(vs, i, query.target)) ? [i] : []));
  let sending = candidates((roles) => roles.some((r) => r === 'stable' || r === 'unpinned'));
  // Promoted: every owned route sends only to the canary.
  if (sending.length === 0) sending = candidates((roles) => roles.includes('canary') && roles.every((r) => r === 'canary' || r === 'idle'));
  if (sending.length === 0) throw noRouteToHost(vs, query.target);
  const shadowed = sending.filter((i) => isShadowed(http, i, query.headerRules));
  const owned = sending.filter((i) => !shadowed.includes(i));
  if (owned.length === 0) throw allShadowed(vs, shadowed);
  return { owned, shadowed };
}

/** No request reaches route `i`: each of its match blocks (or, without match, every request) is caught by an earlier route. */
function isShadowed(http: HttpRoute[], i: number, skip: number[]): boolean {
  const blocks = http[i]!.match?.length ? http[i]!.match! : [{}];
  return blocks.every((block) => http.slice(0, i).some((earlier, k) => !skip.includes(k) && routeCovers(earlier, block)));
}

function byName(vs: VirtualService, name: string): number {
  const http = vs.spec.http ?? [];
  const index = http.findIndex((r) => r.name === name);
  if (index >= 0) return index;
  const names = http.map((r) => r.name).filter((n): n is string => typeof n === 'string');
  const known = names.length ? `routes named: ${names.map((n) => `'${n}'`).join(', ')}` : 'no http route has a name: give `route:` the route\'s index instead (0 for the first)';
  throw new InputError(objectProblem(vs, 'spec.http', `no http route named '${name}' (${known}); expected the name given as the spec's route`));
}

/** `route: N` counts the routes as the user wrote them, without this canary's header rules. */
function byIndex(vs: VirtualService, n: number, headerRules: number[]): number {
  const theirs = (vs.spec.http ?? []).flatMap((_, i) => (headerRules.includes(i) ? [] : [i]));
  const index = theirs[n];
  if (index !== undefined) return index;
  throw new InputError(objectProblem(vs, 'spec.http', `no http route at index ${n}: the VirtualService has ${theirs.length} http route${theirs.length === 1 ? '' : 's'} of its own (indices 0 to ${theirs.length - 1}); expected the index of the route to release`));
}

function noHttpRoutes(vs: VirtualService): InputError {
  const other = (['tcp', 'tls'] as const).filter((k) => (vs.spec[k] ?? []).length > 0).map((k) => `${(vs.spec[k] ?? []).length} \`${k}\` route${(vs.spec[k] ?? []).length === 1 ? '' : 's'}`);
  const found = other.length ? `it has ${other.join(' and ')} only` : 'it has no routes';
  return new InputError(objectProblem(vs, 'spec.http', `no http route: ${found}, and istio-canary releases through HTTP routes (header rules, mirrors and weights of \`http\`); expected the VirtualService whose http routes send to the stable version`));
}

function noRouteToHost(vs: VirtualService, t: CanaryTarget): InputError {
  const http = vs.spec.http ?? [];
  const namespace = vs.metadata.namespace ?? '';
  for (const [i, r] of http.entries()) {
    for (const [k, d] of (r.route ?? []).entries()) {
      if (lookAlikeHosts(t.stable.host, d.destination?.host ?? '', namespace)) return lookAlike(vs, i, k, t.stable.host);
    }
  }
  const delegate = http.findIndex((r) => r.delegate !== undefined);
  if (delegate >= 0) {
    const d = http[delegate]!.delegate as { name?: string; namespace?: string };
    return new InputError(objectProblem(vs, `spec.http[${delegate}].delegate`, `no http route sends traffic to '${t.stable.host}' here: the route delegates to VirtualService ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? '?'}, which holds the routes; expected that VirtualService as the spec's virtualService`));
  }
  const found = [...new Set(http.flatMap((r) => (r.route ?? []).map((d) => `'${d.destination?.host}'${d.destination?.subset ? ` subset '${d.destination.subset}'` : ''}`)))];
  const version = t.stable.subset !== undefined ? `subset '${t.stable.subset}' of '${t.stable.host}'` : `'${t.stable.host}'`;
  const sameHostOther = t.stable.subset !== undefined && http.some((r) => (r.route ?? []).some((d) => sameHost(d.destination?.host ?? '', t.stable.host, namespace)));
  const hint = sameHostOther ? ' (if the routes send to another subset of the host, that subset is the stable version: name it in the spec\'s `stable.subset`)' : '';
  return new InputError(objectProblem(vs, 'spec.http', `no http route sends traffic to the stable version (${version}) or only to the canary (found destinations: ${found.join(', ') || 'none'}); expected the spec's host and stable version among the routes' destinations${hint}`));
}

function allShadowed(vs: VirtualService, shadowed: number[]): InputError {
  return new InputError(objectProblem(vs, `spec.http[${shadowed[0]}]`, `every route to the stable version comes after a route that already catches all its requests (${shadowed.map((i) => `spec.http[${i}]`).join(', ')}), so none of them gets traffic; expected a route to the stable version that requests reach: move it before the route that catches them`));
}

function lookAlike(vs: VirtualService, index: number, k: number, host: string): InputError {
  const written = vs.spec.http![index]!.route![k]!.destination.host;
  const alike = lookAlikeHosts(host, written, vs.metadata.namespace ?? '')!;
  return new InputError(objectProblem(vs, `spec.http[${index}].route[${k}].destination.host`,
    `host '${written}' is not the Canary spec's spec.host '${host}' to Istio: it reads spec.host as '${alike.a}' and this host as '${alike.b}' (only a host without a dot is expanded with the namespace; every other host, 'name.namespace' included, is compared as written); expected spec.host and the owned route's destination host to resolve to the same service, e.g. '${alike.fqdn}' in both`));
}

/** A route named by the spec must send traffic with `route:` destinations, to the spec's host. */
function checkRouteUsable(vs: VirtualService, index: number, t: CanaryTarget): void {
  const route: HttpRoute = vs.spec.http![index]!;
  const at = `spec.http[${index}]`;
  if (route.redirect !== undefined) {
    throw new InputError(objectProblem(vs, `${at}.redirect`, 'the route redirects requests (`redirect`) instead of sending them to a version, so there is no traffic to shift; expected the spec\'s `route` to name a route with `route:` destinations (the route the redirect leads to, if it is in this VirtualService)'));
  }
  if (route.directResponse !== undefined) {
    throw new InputError(objectProblem(vs, `${at}.directResponse`, 'the route answers requests itself (`directResponse`) instead of sending them to a version, so there is no traffic to shift; expected the spec\'s `route` to name a route with `route:` destinations'));
  }
  if (route.delegate !== undefined) {
    const d = route.delegate as { name?: string; namespace?: string };
    throw new InputError(objectProblem(vs, `${at}.delegate`, `the route delegates to VirtualService ${d.namespace ? `${d.namespace}/` : ''}${d.name ?? '?'}, which holds the routes that send the traffic; expected that VirtualService as the spec's virtualService (and its route, if any, as the spec's route)`));
  }
  const namespace = vs.metadata.namespace ?? '';
  const destinations = route.route ?? [];
  const host = t.stable.host;
  // With one Service per version a promoted route sends to the canary's Service only.
  const hosts = [host, t.canary.host];
  if (!destinations.some((d) => hosts.some((h) => sameHost(d.destination?.host ?? '', h, namespace)))) {
    destinations.forEach((d, k) => {
      if (lookAlikeHosts(host, d.destination?.host ?? '', namespace)) throw lookAlike(vs, index, k, host);
    });
    const found = destinations.map((d) => `'${d.destination?.host}'`).join(', ') || 'none';
    throw new InputError(objectProblem(vs, `${at}.route`, `no destination has host '${host}' (found: ${found}); expected the spec's host among the owned route's destinations`));
  }
}
