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
  return [...unknownRouteFields(vs), ...hostsProblems(vs), ...virtualServiceProblems(vs.spec as unknown as Json, vs.metadata.namespace ?? '.')];
}

/** The fields of istio.networking.v1alpha3.HTTPRoute (istio/api virtual_service.proto), in both spellings
 * protobuf's JSON decoding accepts. */
const HTTP_ROUTE_FIELDS = new Set(
  ['name', 'match', 'route', 'redirect', 'direct_response', 'delegate', 'rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrors', 'mirror_percent', 'mirror_percentage', 'cors_policy', 'headers']
    .flatMap((f) => [f, f.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())]),
);
const REMOVED: Record<string, string> = {
  websocketUpgrade: 'removed from the API: WebSocket upgrades need no setting; delete the field',
  appendHeaders: 'removed from the API: use `headers.request.add`',
  removeResponseHeaders: 'removed from the API: use `headers.response.remove`',
  appendResponseHeaders: 'removed from the API: use `headers.response.add`',
  appendRequestHeaders: 'removed from the API: use `headers.request.add`',
  removeRequestHeaders: 'removed from the API: use `headers.request.remove`',
};

/** istiod decodes the spec strictly: a field the API does not have is an error (the API server, by
 * contrast, prunes it silently, so only manifests from files carry one). */
function unknownRouteFields(vs: VirtualService): RuleProblem[] {
  return (vs.spec.http ?? []).flatMap((route, i) =>
    typeof route === 'object' && route !== null
      ? Object.keys(route).filter((k) => !HTTP_ROUTE_FIELDS.has(k)).map((k) => ({
          rule: 'unknown-field',
          path: `spec.http[${i}].${k}`,
          message: `cannot parse proto message: unknown field "${k}" in istio.networking.v1alpha3.HTTPRoute${REMOVED[k] ? ` (${REMOVED[k]})` : ''}`,
        }))
      : [],
  );
}

/** istiod reads a VirtualService without hosts as a delegate (its routes carry what a root VirtualService
 * delegates to it) and refuses one with gateways, tcp or tls routes. A delegate is released like any
 * VirtualService: the root's match is merged with each of its routes, header rules included. */
function hostsProblems(vs: VirtualService): RuleProblem[] {
  if ((vs.spec.hosts ?? []).length > 0) return [];
  const delegateOnly = ['gateways', 'tcp', 'tls'].filter((k) => ((vs.spec[k] as unknown[] | undefined) ?? []).length > 0);
  if (delegateOnly.length === 0) return [];
  return [{ rule: 'hosts-required', path: 'spec.hosts', message: `no hosts: istiod refuses a VirtualService without hosts (a delegate) that has ${delegateOnly.map((k) => `\`${k}\``).join(', ')}; expected at least one host` }];
}

export function destinationRuleRuleProblems(dr: DestinationRule): RuleProblem[] {
  return destinationRuleProblems(dr.spec as unknown as Json, dr.metadata.namespace ?? '.');
}

export function serviceEntryRuleProblems(se: ServiceEntry): RuleProblem[] {
  return serviceEntryProblems(se.spec as unknown as Json, se.metadata.namespace ?? '.');
}
