// The dark-launch header rule: a copy of the owned route, placed directly before it, whose every
// match block also requires the cohort header and whose only destination is the canary subset. It
// keeps the owned route's timeout, retries, header edits, CORS, fault, rewrite..., so the cohort is
// served exactly as before except for the version that answers.
import { InputError } from '../errors.ts';
import { jsonEqual, omit } from './clone.ts';
import { sameHost } from './hosts.ts';
import { objectProblem } from './object-ref.ts';
import type { HttpRoute, RouteDestination, VirtualService } from './types.ts';

/** Deterministic so a later run finds and removes the rule by name alone. */
export function headerRuleName(canaryName: string): string {
  return `${canaryName}-dark-launch`;
}

export function isHeaderRule(route: HttpRoute, canaryName: string): boolean {
  return route.name === headerRuleName(canaryName);
}

/**
 * InputError when a route carries the header rule's name without being one (a single destination of the
 * canary's host): reading it as this canary's rule would delete someone else's route.
 */
export function checkHeaderRuleNameFree(vs: VirtualService, canaryName: string, host: string): void {
  const namespace = vs.metadata.namespace ?? '';
  (vs.spec.http ?? []).forEach((r, i) => {
    if (!isHeaderRule(r, canaryName)) return;
    if (r.route?.length === 1 && sameHost(r.route[0]!.destination?.host ?? '', host, namespace)) return;
    throw new InputError(objectProblem(vs, `spec.http[${i}].name`,
      `the route named '${r.name}' is not this canary's header rule (that sends to host '${host}' alone); expected the name free for the dark-launch rule: rename the route`));
  });
}

/** Fields of the owned route the header rule does not copy: it has its own name, match and destination.
 * A mirror the route already has (someone else's) is copied like any other option; the canary's own
 * mirror is never on the route given here (the baseline has it stripped), and mirroring the cohort to
 * the canary that answers it would be pointless. */
const NOT_COPIED = ['name', 'match', 'route'] as const;

/**
 * The header rule for `owned` (the owned route as before the release, without the canary's mirror, at `index` in `vs`).
 * InputError when an owned match block already matches one of the cohort headers differently.
 */
export function buildHeaderRule(
  vs: VirtualService,
  index: number,
  owned: HttpRoute,
  canaryName: string,
  headers: Record<string, unknown>,
  canary: RouteDestination,
): HttpRoute {
  const blocks = owned.match && owned.match.length > 0 ? owned.match : [{}];
  const match = blocks.map((block, j) => andHeaders(vs, `spec.http[${index}].match[${j}]`, block, headers));
  // A deep copy: the rule must not share objects with the owned route (a YAML writer would alias them).
  return { name: headerRuleName(canaryName), match, ...structuredClone(omit(owned, NOT_COPIED)), route: [canary] };
}

function andHeaders(vs: VirtualService, path: string, block: Record<string, unknown>, headers: Record<string, unknown>): Record<string, unknown> {
  const existing = (block.headers ?? {}) as Record<string, unknown>;
  const excluded = (block.withoutHeaders ?? {}) as Record<string, unknown>;
  for (const [name, match] of Object.entries(headers)) {
    if (existing[name] !== undefined && !jsonEqual(existing[name], match)) {
      throw new InputError(objectProblem(vs, `${path}.headers.${name}`, `the owned route already matches header '${name}' differently; expected a dark-launch header the route does not match on`));
    }
    // Excluding the same match, or the header's presence ({}), contradicts the cohort header.
    if (excluded[name] !== undefined && (jsonEqual(excluded[name], match) || jsonEqual(excluded[name], {}))) {
      throw new InputError(objectProblem(vs, `${path}.withoutHeaders.${name}`, `the owned route excludes requests with header '${name}', so the header rule would match nothing; expected a dark-launch header the route does not exclude`));
    }
  }
  return { ...block, headers: { ...existing, ...structuredClone(headers) } };
}
