// The spec's routing API decides which fields it needs: `routing: virtualService` (the default) a
// VirtualService, a host and subset labels per version; `routing: httpRoute` an HTTPRoute and one
// Service per version (HTTPRoute has no subsets). Each field of the other API is refused by name,
// so a spec is never half one and half the other.
import type { PathSegment } from './locate.ts';
import { durationProblem, parseDuration } from './duration.ts';
import { isRecord, type PathProblem } from './problem.ts';

type Problems = PathProblem[];

const VIRTUAL_SERVICE_ONLY = ['virtualService', 'destinationRule'] as const;
const VERSION_VIRTUAL_SERVICE_ONLY = ['subset', 'host'] as const;

function routingOf(spec: Record<string, unknown>): 'virtualService' | 'httpRoute' | undefined {
  const routing = spec.routing ?? 'virtualService';
  return routing === 'virtualService' || routing === 'httpRoute' ? routing : undefined;
}

/** Every problem of the routing fields; `isHttpRoute` tells the version rules which shape to expect. */
export function routingProblems(spec: Record<string, unknown>, problems: Problems): void {
  const routing = routingOf(spec);
  if (routing === undefined) return; // the schema reports a routing outside its enum
  const roles = ['stable', 'canary'] as const;
  if (routing === 'virtualService') {
    // `host` is checked with the versions' own hosts (semantics.ts versionHosts): one Service per version needs none.
    if (spec.virtualService === undefined) problems.push({ path: ['spec', 'virtualService'], message: 'missing required field `virtualService`' });
    if (spec.httpRoute !== undefined) problems.push({ path: ['spec', 'httpRoute'], message: '`httpRoute` needs `routing: httpRoute`; with routing virtualService name the VirtualService in `virtualService`' });
    if (spec.acceptanceTimeout !== undefined) problems.push({ path: ['spec', 'acceptanceTimeout'], message: "`acceptanceTimeout` needs `routing: httpRoute` (it bounds the wait for Istio to accept the HTTPRoute); a VirtualService write is in effect once stored" });
    for (const role of roles) {
      const ref = spec[role];
      if (!isRecord(ref)) continue;
      if (ref.service !== undefined) problems.push({ path: ['spec', role, 'service'], message: '`service` applies to routing httpRoute (one Service per version); with routing virtualService a version is the subset its `labels` select' });
    }
    return;
  }
  if (spec.httpRoute === undefined) problems.push({ path: ['spec', 'httpRoute'], message: 'missing required field `httpRoute` (the name of the HTTPRoute to manage, required with routing httpRoute)' });
  acceptanceTimeoutRule(spec.acceptanceTimeout, problems);
  for (const field of VIRTUAL_SERVICE_ONLY) {
    if (spec[field] !== undefined) problems.push({ path: ['spec', field], message: `\`${field}\` applies to routing virtualService; with routing httpRoute name the HTTPRoute in \`httpRoute\` and each version's Service in \`service\`` });
  }
  for (const role of roles) {
    const ref = spec[role];
    if (!isRecord(ref)) continue;
    const path: PathSegment[] = ['spec', role];
    if (ref.service === undefined) problems.push({ path: [...path, 'service'], message: "missing required field `service` (the version's Service, required with routing httpRoute)" });
    for (const field of VERSION_VIRTUAL_SERVICE_ONLY) {
      if (ref[field] !== undefined) problems.push({ path: [...path, field], message: `\`${field}\` applies to routing virtualService; with routing httpRoute a version is its Service` });
    }
  }
  const stable = isRecord(spec.stable) ? spec.stable.service : undefined;
  const canary = isRecord(spec.canary) ? spec.canary.service : undefined;
  if (typeof stable === 'string' && stable === canary) problems.push({ path: ['spec', 'canary', 'service'], message: `stable and canary use the same Service \`${stable}\`; they must differ` });
}

/** Istio accepts a route within seconds: a wait under a second fails routes it would accept, and one
 * over the holder's default timeout (15m, not renewed while waiting) would let another run take the
 * rollout over mid-wait. */
const ACCEPTANCE_TIMEOUT_MS = { min: 1_000, max: 15 * 60_000 };

function acceptanceTimeoutRule(value: unknown, problems: Problems): void {
  if (typeof value !== 'string' || durationProblem(value)) return; // the schema reports the type and syntax
  const ms = parseDuration(value);
  if (ms < ACCEPTANCE_TIMEOUT_MS.min || ms > ACCEPTANCE_TIMEOUT_MS.max) {
    problems.push({ path: ['spec', 'acceptanceTimeout'], message: `expected from 1s to 15m (how long a write waits for Istio to accept the HTTPRoute; default 2m), got ${value}` });
  }
}

/** With routing httpRoute the version rules of subsets and labels do not apply. */
export function usesHttpRoute(spec: Record<string, unknown>): boolean {
  return routingOf(spec) === 'httpRoute';
}
