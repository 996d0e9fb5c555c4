// Hosts as pilot and the analyzers read them (pkg/config/model ResolveShortnameToFQDN; the
// DestinationRule lookup in pilot's push context; IST0101's host+subset check): the plan matches the
// spec's host, the routes and the DestinationRule by the resolved name, refuses look-alikes with one
// clear error, and never writes a DestinationRule pilot would not apply to the routed host.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { resolveHost } from '../../../src/istio/hosts.ts';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { CanarySpec } from '../../../src/spec/types.ts';
import { canarySpec, seedDestinationRule } from '../plan/helpers.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const NS = 'istioinaction';

function vs(routeHost: string, extra: Partial<VirtualService['spec']> = {}): VirtualService {
  const http: HttpRoute[] = [{ route: [{ destination: { host: routeHost } }] }];
  return { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'catalog', namespace: NS }, spec: { hosts: ['catalog'], http, ...extra } };
}

function drOf(host: string): DestinationRule {
  const dr = seedDestinationRule();
  dr.spec.host = host;
  return dr;
}

function refusal(spec: CanarySpec, live: VirtualService, dr?: DestinationRule): InputError {
  try {
    planRelease(spec, live, dr);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

/** Every DestinationRule host a plan writes resolves (in its namespace) to every routed host of the canary's subsets. */
function expectDestinationRuleAppliesToRoutes(spec: CanarySpec, live: VirtualService, dr?: DestinationRule): void {
  const plan = planRelease(spec, live, dr);
  for (const s of [...plan.stages, plan.promoted, plan.rollback]) {
    const drHost = resolveHost(destinationRuleOf(s).spec.host, destinationRuleOf(s).metadata.namespace!);
    const routed = (virtualServiceOf(s).spec.http ?? []).flatMap((r) => [...(r.route ?? []).map((d) => d.destination), ...(r.mirror ? [r.mirror] : [])]);
    for (const d of routed.filter((d) => d.subset === spec.stable.subset || d.subset === spec.canary.subset)) {
      expect(resolveHost(d.host, virtualServiceOf(s).metadata.namespace!)).toBe(drHost);
    }
  }
}

describe('spec host and route host', () => {
  it.each([
    ['catalog', 'catalog'],
    ['catalog', `catalog.${NS}.svc.cluster.local`],
    [`catalog.${NS}.svc.cluster.local`, 'catalog'],
    [`catalog.${NS}`, `catalog.${NS}`],
  ])('spec.host %s with route host %s: one host to Istio, and the DestinationRule applies to the routes', (specHost, routeHost) => {
    expectDestinationRuleAppliesToRoutes(canarySpec({ host: specHost }), vs(routeHost));
    expectDestinationRuleAppliesToRoutes(canarySpec({ host: specHost }), vs(routeHost), drOf(specHost));
  });

  it.each([
    [`catalog.${NS}`, 'catalog', `catalog.${NS}`, `catalog.${NS}.svc.cluster.local`],
    ['catalog', `catalog.${NS}`, `catalog.${NS}.svc.cluster.local`, `catalog.${NS}`],
    [`catalog.${NS}.svc`, `catalog.${NS}.svc.cluster.local`, `catalog.${NS}.svc`, `catalog.${NS}.svc.cluster.local`],
  ])('spec.host %s with route host %s: one clear error naming both fields, at plan time', (specHost, routeHost, specReads, routeReads) => {
    const e = refusal(canarySpec({ host: specHost }), vs(routeHost));
    expect(e.problems).toHaveLength(1);
    expect(e.message).toBe(
      `VirtualService ${NS}/catalog: spec.http[0].route[0].destination.host: host '${routeHost}' is not the Canary spec's spec.host '${specHost}' to Istio: ` +
        `it reads spec.host as '${specReads}' and this host as '${routeReads}' (only a host without a dot is expanded with the namespace; every other host, 'name.namespace' included, is compared as written); ` +
        `expected spec.host and the owned route's destination host to resolve to the same service, e.g. 'catalog.${NS}.svc.cluster.local' in both`,
    );
  });
});

describe('a user DestinationRule whose host is not the routed host is never edited', () => {
  it('name.namespace beside the short name', () => {
    expect(refusal(canarySpec(), vs('catalog'), drOf(`catalog.${NS}`)).message).toBe(
      `DestinationRule ${NS}/catalog: spec.host: host 'catalog.${NS}' is not the spec's host 'catalog': Istio reads it as 'catalog.${NS}' and the spec's host as 'catalog.${NS}.svc.cluster.local' ` +
        "(only a host without a dot is expanded with the namespace; every other host is compared as written); expected the DestinationRule of the host the canary shifts",
    );
  });

  it('a wildcard host (pilot would apply it, but to other services too)', () => {
    expect(refusal(canarySpec(), vs('catalog'), drOf(`*.${NS}.svc.cluster.local`)).message).toContain(
      `spec.host: host '*.${NS}.svc.cluster.local' is not the spec's host 'catalog'; expected the DestinationRule of the host the canary shifts`,
    );
  });

  it('another case or a trailing dot is another host to pilot', () => {
    expect(refusal(canarySpec(), vs('catalog'), drOf(`catalog.${NS}.svc.cluster.local.`)).message).toContain('is not the spec\'s host');
    expect(refusal(canarySpec({ host: 'Catalog' }), vs('catalog')).message).toContain("it reads spec.host as 'Catalog.istioinaction.svc.cluster.local' and this host as 'catalog.istioinaction.svc.cluster.local'");
  });
});

describe('a service of another namespace', () => {
  const other = 'reviews.bookinfo.svc.cluster.local';
  it('refuses subsets in a DestinationRule only proxies of its own namespace would use', () => {
    expect(refusal(canarySpec({ host: other }), vs(other)).message).toBe(
      `DestinationRule ${NS}/catalog: spec.host: host '${other}' is a service of namespace bookinfo, and pilot applies a DestinationRule in ${NS} to it only for proxies in ${NS}; ` +
        `VirtualService ${NS}/catalog routes callers in every namespace to its subsets, which would get 503 (NC); expected the canary in the service's namespace bookinfo, or the VirtualService exported to '.' only`,
    );
  });

  it('accepts it when the VirtualService only programs proxies of its own namespace', () => {
    expectDestinationRuleAppliesToRoutes(canarySpec({ host: other }), vs(other, { exportTo: ['.'] }));
  });
});
