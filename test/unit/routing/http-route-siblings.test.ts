// Which HTTPRoutes compete with ours for the cohort, in every namespace: routes of other namespaces
// attached to the same Gateway rank with ours; GAMMA consumer routes of other namespaces take their
// clients away (the plan says so, and goes on); our own consumer route serves only its namespace.
// The list of other namespaces is asked for only when it matters, and a 403 on it is one sentence in
// the plan and the log, not a failure.
import { describe, expect, it } from 'vitest';
import { readLive } from '../../../src/engine/live.ts';
import { MemoryRouting } from '../../../src/engine/memory.ts';
import { ClusterError } from '../../../src/errors.ts';
import { planText } from '../../../src/plan/render.ts';
import type { RoutingObject } from '../../../src/plan/types.ts';
import { planWith } from '../../../src/routing/plan.ts';
import { httpRouteBackend } from '../../../src/routing/http-route/backend.ts';
import { competitionByParent, needsOtherNamespaces } from '../../../src/routing/http-route/siblings.ts';
import type { HTTPRoute, ParentRef, RouteRule } from '../../../src/routing/http-route/types.ts';
import { planLive } from '../../../src/engine/plan-live.ts';
import { parseCanarySpecs } from '../../../src/spec/parse.ts';
import { planSummaryMarkdown } from '../../../src/report/plan-summary.ts';
import { renderReport } from '../../../src/report/markdown.ts';
import { rolloutState } from '../../support/rollout-fixtures.ts';

const SERVICE: ParentRef = { group: '', kind: 'Service', name: 'catalog', port: 80 };
const GATEWAY: ParentRef = { name: 'public', namespace: 'infra' };

const MAIN: RouteRule = { name: 'main', matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'catalog-v1', port: 80 }] };
/** PathPrefix / with one header: more headers than the owned match, as many as the dark-launch match. */
const STEALING: RouteRule = { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ name: 'x-tenant', value: 'gold' }] }], backendRefs: [{ name: 'tenant-gold', port: 80 }] };

function route(namespace: string, name: string, parentRefs: ParentRef[], rules: RouteRule[], created = '2030-01-01T00:00:00Z'): HTTPRoute {
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace, creationTimestamp: created }, spec: { parentRefs, rules } };
}

const ours = (parentRefs: ParentRef[] = [SERVICE], namespace = 'shop') => route(namespace, 'catalog', parentRefs, [structuredClone(MAIN)], '2029-01-01T00:00:00Z');

const spec = parseCanarySpecs(
  `apiVersion: istio-canary/v1
kind: Canary
metadata: {name: catalog}
spec:
  namespace: shop
  routing: httpRoute
  httpRoute: catalog
  route: main
  stable: {service: catalog-v1}
  canary: {service: catalog-v2}
  stages: [{darkLaunch: {}}, {weight: 50}]
  analysis: {prometheus: {url: http://prometheus:9090}, checks: [{name: errors, type: success-rate, min: 99}]}
`,
  'canary.yaml',
)[0]!;

const objects = (...routes: HTTPRoute[]) => routes as unknown as RoutingObject[];

describe('routes that compete with ours, in every namespace', () => {
  it('on a Gateway: a route of another namespace attached to it ranks with ours; one Istio did not accept there does not', () => {
    const crossNamespace = route('team', 'gold', [{ name: 'public', namespace: 'infra' }], [STEALING]);
    const refused = { ...route('other', 'denied', [GATEWAY], [STEALING]), status: { parents: [{ parentRef: GATEWAY, controllerName: 'istio.io/gateway-controller', conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' }] }] } };
    const elsewhere = route('team', 'other-gateway', [{ name: 'private', namespace: 'infra' }], [STEALING]);
    const [onGateway] = competitionByParent(ours([GATEWAY]), [crossNamespace, refused, elsewhere]);
    expect(onGateway!.parent).toBe('Gateway infra/public');
    expect(onGateway!.siblings.map((r) => r.metadata.name)).toEqual(['gold']);
    expect(() => planWith(httpRouteBackend, spec, objects(ours([GATEWAY]), crossNamespace))).toThrow(
      /HTTPRoute team\/gold spec\.rules\[0\]\.matches\[0\] ranks between the dark-launch match and the owned match/,
    );
    expect(() => planWith(httpRouteBackend, spec, objects(ours([GATEWAY]), refused, elsewhere))).not.toThrow();
  });

  it("on our Service: a consumer route of another namespace does not rank with ours; the plan says its clients never reach the canary", () => {
    const consumer = route('web', 'catalog-web', [{ ...SERVICE, namespace: 'shop' }], [STEALING]);
    const [onService] = competitionByParent(ours(), [consumer]);
    expect(onService).toMatchObject({ parent: 'Service shop/catalog', siblings: [], bypassedBy: [consumer] });
    const plan = planWith(httpRouteBackend, spec, objects(ours(), consumer));
    expect(plan.notes).toEqual([
      'on Service shop/catalog, clients in namespace web follow HTTPRoute web/catalog-web (a consumer route, which Istio uses instead of this one for clients of that namespace): no request of theirs, the cohort\'s included, reaches the canary at any stage, and after promotion they still go where that route sends them',
    ]);
    expect(planText(plan, objects(ours(), consumer))).toContain(`Caveat: ${plan.notes![0]}.`);
    expect(planSummaryMarkdown(plan, spec)).toContain('**Caveat:** on Service shop/catalog, clients in namespace web follow HTTPRoute web/catalog-web');
    // The release's report (PR comment, job summary) says it under its header too.
    const report = renderReport({ spec, state: rolloutState({ canary: 'catalog', status: 'in-progress', stageIndex: 0, history: [] }), plan: { ...plan, unchecked: ['HTTPRoutes in namespaces other than shop were not checked'] } });
    expect(report).toContain('> ⚠️ Caveat: on Service shop/catalog, clients in namespace web follow HTTPRoute web/catalog-web');
    expect(report).toContain('> ⚠️ Not checked: HTTPRoutes in namespaces other than shop were not checked.');
  });

  it('behind a waypoint: routes of other namespaces take no client away (the waypoint ignores them), and the plan says they are not in the proof', () => {
    const consumer = route('web', 'catalog-web', [{ ...SERVICE, namespace: 'shop' }], [STEALING]);
    const [c] = competitionByParent(ours(), [consumer], { dataPlane: 'waypoint' });
    expect(c).toMatchObject({ siblings: [], bypassedBy: [], waypointElsewhere: [consumer] });
    const plan = planWith(httpRouteBackend, { ...spec, dataPlane: 'waypoint' }, objects(ours(), consumer));
    expect(plan.notes).toEqual([
      'on Service shop/catalog, behind a waypoint: HTTPRoute web/catalog-web (other namespaces) are ignored by the waypoint unless it runs in their namespace, where their rules would merge with these and could take part of the cohort; they are not in the precedence proof',
    ]);
    // Our own route outside the Service's namespace is in effect behind a waypoint only in the waypoint's namespace.
    const [mine] = competitionByParent(ours([{ ...SERVICE, namespace: 'shop' }], 'web'), [], { dataPlane: 'waypoint' });
    expect(mine!.waypointOwnNamespace).toBe('web');
  });

  it('our consumer route competes only with consumer routes of its own namespace, and serves only that namespace', () => {
    const mine = ours([{ ...SERVICE, namespace: 'shop' }], 'web');
    const producer = route('shop', 'catalog-producer', [SERVICE], [STEALING]);
    const neighbour = route('web', 'catalog-web-gold', [{ ...SERVICE, namespace: 'shop' }], [STEALING]);
    const [c] = competitionByParent(mine, [producer, neighbour]);
    expect(c!.siblings.map((r) => r.metadata.name)).toEqual(['catalog-web-gold']);
    expect(c!.consumerOnly).toBe('web');
    expect(needsOtherNamespaces(mine)).toBe(false);
    expect(httpRouteBackend.lists!({ ...spec, namespace: 'web' }, objects(mine)).map((l) => l.ref.namespace)).toEqual(['web']);
  });

  it('asks for every namespace only where other namespaces can matter: a Gateway, or our own Service', () => {
    expect(needsOtherNamespaces(ours([GATEWAY]))).toBe(true);
    expect(needsOtherNamespaces(ours([SERVICE]))).toBe(true);
    expect(httpRouteBackend.lists!(spec, objects(ours([GATEWAY]))).map((l) => l.ref.namespace)).toEqual(['shop', undefined]);
  });

  it('each stage with the dark-launch rule says who the cohort reaches and why, per parent', () => {
    const unrelated = route('team', 'reports', [GATEWAY], [{ matches: [{ path: { type: 'Exact', value: '/reports' } }], backendRefs: [{ name: 'reports', port: 80 }] }]);
    const plan = planWith(httpRouteBackend, spec, objects(ours([SERVICE, GATEWAY]), unrelated));
    expect(plan.stages[0]!.notes).toEqual([
      'on Service shop/catalog (2 matches of 1 HTTPRoute, Gateway API precedence): the dark-launch match ranks #1, directly above the owned match #2 (PathPrefix /) it copies, nothing between them. So the cohort reaches the canary exactly where it reached the owned rule, and no request without the cohort header does',
      'on Gateway infra/public (3 matches of 2 HTTPRoutes, Gateway API precedence): the dark-launch match ranks #2, directly above the owned match #3 (PathPrefix /) it copies, nothing between them. So the cohort reaches the canary exactly where it reached the owned rule, and no request without the cohort header does',
    ]);
    // The weight stage keeps the rule (the same proof); promotion and rollback have no rule to prove.
    expect(plan.stages[1]!.notes).toEqual(plan.stages[0]!.notes);
    expect(plan.promoted.notes).toBeUndefined();
    expect(plan.rollback.notes).toBeUndefined();
    expect(planText(plan, objects(ours([SERVICE, GATEWAY]), unrelated))).toContain(`== 00-dark-launch: ${plan.stages[0]!.summary}\nwrites: HTTPRoute\ncohort: ${plan.stages[0]!.notes![0]}.\ncohort: ${plan.stages[0]!.notes![1]}.\n`);
  });
});

describe('listing the other namespaces', () => {
  /** The in-memory port, with every list over all namespaces answered as `refuse` says. */
  function refusing(routes: HTTPRoute[], refuse: ClusterError): MemoryRouting {
    const port = new MemoryRouting(objects(...routes));
    const list = port.list.bind(port);
    port.list = async (kind, labels) => {
      if (kind.namespace === undefined) throw refuse;
      return list(kind, labels);
    };
    return port;
  }

  it('reads routes of every namespace when allowed, and hands them to the plan', async () => {
    const crossNamespace = route('team', 'gold', [GATEWAY], [STEALING]);
    const read = await readLive(new MemoryRouting(objects(ours([GATEWAY]), crossNamespace)), spec);
    expect(read.objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['shop/catalog', 'team/gold']);
    expect(read.unchecked).toEqual([]);
    expect(() => planLive(spec, read.objects, { unchecked: read.unchecked })).toThrow(/HTTPRoute team\/gold/);
  });

  it('forbidden (403): goes on with the namespace, and the plan names what was not checked, once', async () => {
    const sameNamespace = route('shop', 'reports', [SERVICE], [{ matches: [{ path: { type: 'Exact', value: '/reports' } }], backendRefs: [{ name: 'reports', port: 80 }] }]);
    const port = refusing([ours(), sameNamespace, route('web', 'catalog-web', [{ ...SERVICE, namespace: 'shop' }], [STEALING])], new ClusterError('Not allowed listing HTTPRoute in all namespaces', { status: 403 }));
    const read = await readLive(port, spec);
    expect(read.objects.map((o) => o.metadata.name)).toEqual(['catalog', 'reports']);
    const sentence =
      'HTTPRoutes in namespaces other than shop on Service shop/catalog (routes attached to a Gateway from other namespaces, and GAMMA consumer routes whose clients would not follow this one) were not checked: listing HTTPRoutes in all namespaces was refused (it needs list on httproutes.gateway.networking.k8s.io cluster-wide, a ClusterRole)';
    expect(read.unchecked).toEqual([sentence]);
    const plan = planLive(spec, read.objects, { unchecked: read.unchecked });
    expect(plan.unchecked).toEqual([sentence]);
    const text = planText(plan, read.objects);
    expect(text.split(`Not checked: ${sentence}.`).length).toBe(2);
  });

  it('any other failure of that list still fails the read', async () => {
    const port = refusing([ours()], new ClusterError('Failed listing HTTPRoute in all namespaces (HTTP 500): etcd timeout', { status: 500 }));
    await expect(readLive(port, spec)).rejects.toThrow('HTTP 500');
  });
});
