// The canary's RequestMirror filter on the owned rule: the mirror whose backend is the canary
// Service. Other RequestMirror filters (someone else's) are left exactly as they are.
import type { BackendObjectRef, RouteFilter, RouteRule, ServicePair } from './types.ts';
import { refersTo } from './owned-rule.ts';

export function isCanaryMirror(f: RouteFilter, services: ServicePair): boolean {
  return f.type === 'RequestMirror' && f.requestMirror !== undefined && refersTo(f.requestMirror.backendRef, services.canary, services.namespace);
}

/** The share a RequestMirror filter mirrors, in percent (a fraction's denominator defaults to 100). */
export function mirrorPercent(f: RouteFilter): number {
  const m = f.requestMirror;
  if (m === undefined) return 0;
  if (m.fraction !== undefined) return (100 * m.fraction.numerator) / (m.fraction.denominator ?? 100);
  return m.percent ?? 100;
}

/**
 * The filter mirroring `percentage` % to the canary: `percent` when it is a whole number, else a
 * `fraction` per million (Istio keeps four decimals of a percentage, per million is exact there).
 */
export function canaryMirror(backendRef: BackendObjectRef, percentage: number): RouteFilter {
  const share = Number.isInteger(percentage) ? { percent: percentage } : { fraction: { numerator: Math.round(percentage * 10_000), denominator: 1_000_000 } };
  return { type: 'RequestMirror', requestMirror: { backendRef, ...share } };
}

export function withoutCanaryMirror(rule: RouteRule, services: ServicePair): RouteRule {
  if (!(rule.filters ?? []).some((f) => isCanaryMirror(f, services))) return rule;
  const { filters: all, ...rest } = rule;
  const filters = all!.filter((f) => !isCanaryMirror(f, services));
  return filters.length === 0 ? rest : { ...rest, filters };
}
