// Our copy of istiod's validating-webhook rules for VirtualService, DestinationRule and ServiceEntry
// (istio.io/istio pkg/config/validation: ValidateVirtualService, validateHTTPRoute and the functions
// it calls, ValidateDestinationRule, ValidateServiceEntry). The API server does not run them (only the CRD schema), so we
// do: an input istiod would reject is refused with istiod's reason before we plan, and a produced
// object that breaks one is a bug. Each mirrored rule is listed with an example in
// test/unit/istio/webhook-rules.test.ts.
//
// Deliberately not mirrored, and why:
// - Hosts and SNI hosts of a VirtualService bound only to gateways (ValidateWildcardDomainForVirtual-
//   ServiceBoundToGateway, validateTLSRoute/validateSniHost): gateway-side rules for routes we never
//   write; a live object that has them was accepted by istiod already.
// - The %-variable syntax of header values (validateHeaderValue): Envoy's format language; we never
//   write header values, we only copy the owned route's into the header rule.
// - DestinationRule TLS settings, locality load balancing, warmup, consistent-hash and maglev table
//   size, tunnel settings, workload selectors: fields we never touch and copy unchanged.
// - Gateway API semantics (internal annotations): not objects this tool edits.
// - The unreachable-rule findings (IST0130, IST0131) are warnings, not rejections; src/istio/
//   reachability.ts keeps the header rule from creating them.
import type { DestinationRule, ServiceEntry, VirtualService } from './types.ts';
import { destinationRuleProblems } from './webhook/destination-rule.ts';
import type { Json, RuleProblem } from './webhook/problem.ts';
import { serviceEntryProblems } from './webhook/service-entry.ts';
import { virtualServiceProblems } from './webhook/virtual-service.ts';

export type { RuleProblem } from './webhook/problem.ts';

export function virtualServiceRuleProblems(vs: VirtualService): RuleProblem[] {
  return [...hostsProblems(vs), ...virtualServiceProblems(vs.spec as unknown as Json, vs.metadata.namespace ?? '.')];
}

/** istiod reads a VirtualService without hosts as a delegate and refuses one with gateways, tcp or
 * tls; without them it routes only what a root VirtualService delegates to it, which no plan here can
 * see, so the canary refuses it too rather than show stages that may carry no traffic. */
function hostsProblems(vs: VirtualService): RuleProblem[] {
  if ((vs.spec.hosts ?? []).length > 0) return [];
  const delegateOnly = ['gateways', 'tcp', 'tls'].filter((k) => ((vs.spec[k] as unknown[] | undefined) ?? []).length > 0);
  const why = delegateOnly.length > 0 ? `istiod refuses a VirtualService without hosts that has ${delegateOnly.map((k) => `\`${k}\``).join(', ')}` : 'a VirtualService without hosts is a delegate: it routes only what a root VirtualService delegates to it';
  return [{ rule: 'hosts-required', path: 'spec.hosts', message: `no hosts: ${why}; expected at least one host` }];
}

export function destinationRuleRuleProblems(dr: DestinationRule): RuleProblem[] {
  return destinationRuleProblems(dr.spec as unknown as Json, dr.metadata.namespace ?? '.');
}

export function serviceEntryRuleProblems(se: ServiceEntry): RuleProblem[] {
  return serviceEntryProblems(se.spec as unknown as Json, se.metadata.namespace ?? '.');
}
