// A first run (no rollout of this canary recorded on the route) must not take over traffic someone
// else pointed at the canary Service: stripped as this canary's traces, a weight split would be
// silently taken back (the release restarting from its first stage) and a RequestMirror to the
// canary dropped, on the first stage and again on rollback. Both are refused, saying how out.
import { InputError } from '../../errors.ts';
import { objectProblem } from '../../istio/object-ref.ts';
import { headerRuleName } from './header-rule.ts';
import { isCanaryMirror, mirrorPercent } from './mirror.ts';
import { findOwnedRule } from './owned-rule.ts';
import { readTraffic, type HttpRouteCanary } from './traffic.ts';
import type { HTTPRoute } from './types.ts';

export function checkFirstRun(route: HTTPRoute, canary: HttpRouteCanary): void {
  const services = { ...canary.services, namespace: route.metadata.namespace ?? canary.services.namespace };
  const index = findOwnedRule(route, { ...(canary.rule === undefined ? {} : { rule: canary.rule }), services, headerRuleName: headerRuleName(canary.canaryName) });
  const rule = route.spec.rules![index]!;
  const noRecord = `no istio-canary rollout of '${canary.canaryName}' is recorded on the HTTPRoute`;
  const live = readTraffic(route, canary);
  if (live.canaryWeight > 0) {
    const stable = `the stable '${services.stable}'`;
    const canaryService = `the canary '${services.canary}'`;
    const weights = live.shape === 'canary' ? `all of it to ${canaryService}` : `${100 - live.canaryWeight} % to ${stable} and ${live.canaryWeight} % to ${canaryService}`;
    throw new InputError(objectProblem(route, `spec.rules[${index}].backendRefs`,
      `the rule already splits traffic: ${weights}, and ${noRecord}, so starting the release would take that traffic off the canary and begin again from its first stage; to reset it, set the canary's weight to 0 (or remove its backendRef) and then start the release; to finish it instead, set the weights by hand`));
  }
  const mirror = (rule.filters ?? []).findIndex((f) => isCanaryMirror(f, services));
  if (mirror >= 0) {
    throw new InputError(objectProblem(route, `spec.rules[${index}].filters[${mirror}]`,
      `the rule already mirrors ${mirrorPercent(rule.filters![mirror]!)} % of its requests to the canary '${services.canary}', and ${noRecord}: istio-canary would take that mirror for its own and remove it; remove the filter (a mirror stage of the release mirrors to the canary), or mirror to another Service`));
  }
}
