// The HTTPRoute corpus (test/corpus/http-route) judged by Istio's own conversion
// (pilot/pkg/config/kube/gateway, through the route oracle) and the Gateway API's own schema. For
// every planned entry, every stage (and promotion and rollback), and every parent of the route (a
// sidecar for a Service parent, the gateway pod for a Gateway parent):
// - the stage's route passes the Gateway API CRD schema (an API server's dry-run create);
// - Istio accepts it, and each request derived from a match of any route on the parent is routed
//   as the stage says: a request that reached the owned rule before the release (asked of the
//   user's route with the owned rule's backends replaced by a marker Service) now goes to stable and
//   canary by the stage's weights, with the stage's mirror to the canary; with the cohort headers
//   and the dark-launch rule, to the canary only; every other request exactly where it went before;
// - in Istio's generated routes the dark-launch rule does to a request what the owned rule does
//   (header operations, rewrites, CORS, timeouts, retries, other mirrors), but for the destination.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageObjects, type Plan, type PlannedStage, type TrafficState } from '../../src/plan/types.ts';
import { headerRuleName } from '../../src/routing/http-route/header-rule.ts';
import { findOwnedRule } from '../../src/routing/http-route/owned-rule.ts';
import { matchesOf } from '../../src/routing/http-route/precedence.ts';
import type { HTTPRoute } from '../../src/routing/http-route/types.ts';
import type { CanarySpec, StringMatch } from '../../src/spec/types.ts';
import { loadHttpRouteCorpus, planHttpRouteEntry, type HttpRouteCorpusEntry } from '../corpus/http-route.ts';
import { RouteOracle } from '../env/istio-tools.ts';
import { oracleDecision, percentText, type Normalized, type OracleAnswer } from './agreement.ts';
import { convertedHttp, convertedName, servedAs, type ConvertedObject, type HttpEntry } from './converted-rules.ts';
import { GatewayApiSchema } from './gateway-api-schema.ts';
import { cohortHeaders, parentViews, registeredServices, requestFor, variantsOf, type ParentView, type Registered } from './http-route-corpus-views.ts';
import type { ProbeRequest } from './probe-requests.ts';

let oracle: RouteOracle;
let schema: GatewayApiSchema;
beforeAll(async () => {
  [oracle, schema] = await Promise.all([RouteOracle.start(), GatewayApiSchema.start()]);
}, 1_200_000);
afterAll(async () => {
  await oracle?.stop();
  await schema?.stop();
});

const tally = { planned: 0, stages: 0, views: 0, cohort: 0, owned: 0, foreign: 0, served: 0 };

const GATEWAY_CLASS = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'istio' }, spec: { controllerName: 'istio.io/gateway-controller' } };

const fqdn = (name: string, namespace: string) => `${name}.${namespace}.svc.cluster.local`;
const clusterOf = (name: string, namespace: string) => (cluster: string) => cluster.endsWith(`|${fqdn(name, namespace)}`);

/** The route each stage writes (a stage that writes nothing keeps the route before it). */
function stageRoutes(plan: Plan): Array<{ stage: PlannedStage; route: HTTPRoute }> {
  const baseline = plan.baseline[0] as unknown as HTTPRoute;
  let previous = baseline;
  const out: Array<{ stage: PlannedStage; route: HTTPRoute }> = [];
  for (const stage of plan.stages) {
    previous = (stageObjects(stage)[0] as unknown as HTTPRoute | undefined) ?? previous;
    out.push({ stage, route: previous });
  }
  out.push({ stage: plan.promoted, route: (stageObjects(plan.promoted)[0] as unknown as HTTPRoute | undefined) ?? previous });
  out.push({ stage: plan.rollback, route: (stageObjects(plan.rollback)[0] as unknown as HTTPRoute | undefined) ?? baseline });
  return out;
}

/** The route with the owned rule's backends replaced by the marker Service alone: whoever reaches the marker reached the owned rule. */
function marked(route: HTTPRoute, ownedIndex: number, marker: string, port: number): HTTPRoute {
  const copy = structuredClone(route);
  copy.spec.rules![ownedIndex]!.backendRefs = [{ name: marker, port }];
  return copy;
}

/** The object as the API server stores it; a refusal fails the test, naming what was refused. */
async function stored<T extends { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>(object: T, namespace: string, what: string): Promise<T> {
  const out = await schema.stored(object, namespace);
  expect('refusal' in out ? out.refusal : undefined, `${what}: the Gateway API schema refuses it`).toBeUndefined();
  return (out as { object: T }).object;
}

/** Istio's decisions for the requests, with `route` and the entry's other objects as the API server stores them. */
async function ask(view: ParentView, entry: HttpRouteCorpusEntry, others: unknown[], route: HTTPRoute, services: Registered[], requests: ProbeRequest[]): Promise<{ decisions: Normalized[]; http: HttpEntry[] }> {
  const objects = [GATEWAY_CLASS, ...others, route].map((o) => JSON.stringify(o));
  const answer = await oracle.ask<OracleAnswer & { converted?: ConvertedObject[] }>({
    config: '',
    gatewayApi: objects.join('\n---\n'),
    services,
    proxy: view.proxy,
    requests: requests.map((r) => ({ ...r, port: view.port, ...(view.routeName ? { routeName: view.routeName } : {}) })),
  });
  expect(answer.error, `${entry.id} via ${view.parent}: oracle error`).toBeUndefined();
  expect(answer.rejected ?? [], `${entry.id} via ${view.parent}: rejected by Istio`).toEqual([]);
  return { decisions: requests.map((_, i) => oracleDecision(answer, i)), http: convertedHttp(answer.converted) };
}

type Summary = { kind: 'route'; clusters: string[]; mirrors: string[] } | Exclude<Normalized, { kind: 'route' }>;

/** Where a request that reached the owned rule goes in a stage: the weights, and the canary mirror added to the rule's own mirrors. */
function ownedDecision(before: Summary, traffic: TrafficState): Summary {
  const w = traffic.canaryWeight;
  const clusters = w >= 100 ? ['canary 1/1'] : w <= 0 ? ['stable 1/1'] : [`stable ${share(100 - w)}`, `canary ${share(w)}`];
  const own = before.kind === 'route' ? before.mirrors : [];
  const mirrors = traffic.mirrorPercentage > 0 ? [...own, `canary ${percentText(Math.round(traffic.mirrorPercentage * 10_000))}`] : own;
  return { kind: 'route', clusters: clusters.sort(), mirrors: mirrors.sort() };
}

function unique(requests: ProbeRequest[]): ProbeRequest[] {
  return [...new Map(requests.map((r) => [JSON.stringify(r), r])).values()];
}

function share(percent: number): string {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const d = gcd(percent, 100);
  return `${percent / d}/${100 / d}`;
}

/** A decision as cluster and mirror lines (the marker and version clusters named by Service). */
function summary(d: Normalized, name: (cluster: string) => string): Summary {
  if (d.kind !== 'route') return d;
  return { kind: 'route', clusters: d.clusters.map((c) => `${name(c.cluster)} ${c.share}`).sort(), mirrors: d.mirrors.map((m) => `${name(m.cluster)} ${m.percent}`).sort() };
}

async function judge(entry: HttpRouteCorpusEntry, spec: CanarySpec, plan: Plan): Promise<void> {
  const ns = spec.namespace;
  const stable = spec.stable.service!;
  const canary = spec.canary.service!;
  const marker = `${stable}-owned`;
  // Which rule is owned is the planner's choice (its unit tests); where requests go is Istio's answer.
  const live = { ...entry.route, metadata: { ...entry.route.metadata, namespace: ns } };
  const ownedIndex = findOwnedRule(live, { ...(spec.route === undefined ? {} : { rule: spec.route }), services: { namespace: ns, stable, canary }, headerRuleName: headerRuleName(spec.name) });
  const darkLaunch = spec.stages.find((s) => s.kind === 'darkLaunch') as { headers: Record<string, StringMatch> } | undefined;
  const cohort = darkLaunch ? cohortHeaders(darkLaunch.headers) : {};
  const stages = stageRoutes(plan);
  const name = (cluster: string) => (clusterOf(marker, ns)(cluster) ? 'marker' : clusterOf(stable, ns)(cluster) ? 'stable' : clusterOf(canary, ns)(cluster) ? 'canary' : cluster);

  // What Istio's controller reads: the objects as the API server stores them (defaults filled in).
  const inputs = await Promise.all([...entry.infrastructure.filter((o) => o.kind !== 'GatewayClass'), ...entry.others].map((o) => stored(o, o.metadata.namespace ?? ns, `${entry.id}: ${o.kind} ${o.metadata.name}`)));
  const storedStages = await Promise.all(stages.map(async ({ stage, route }) => ({ stage, route: await stored(route, ns, `${entry.id}, stage ${stage.id}: the route`) })));
  // Before: the route as the user has it (not the planner's baseline), the owned rule's traffic sent to the marker.
  const stablePort = live.spec.rules![ownedIndex]!.backendRefs!.find((b) => b.name === stable)?.port ?? 80;
  const storedBefore = await stored(marked(live, ownedIndex, marker, stablePort), ns, `${entry.id}: the route before the release`);

  for (const view of parentViews(entry)) {
    tally.views++;
    const onParent = [live, ...entry.others];
    const accepted = onParent.flatMap((r) => (r.spec.rules ?? []).flatMap((rule) => matchesOf(rule).map((m) => requestFor(m, view)))).filter((r) => r !== undefined);
    const plain = unique([...accepted, ...accepted.flatMap(variantsOf)]);
    const ownedMatches = matchesOf(live.spec.rules![ownedIndex]!);
    const ownedRequests = ownedMatches.map((m) => requestFor(m, view)).filter((r) => r !== undefined);
    expect(ownedRequests.length, `${entry.id}: a request for every match of the owned rule`).toBe(ownedMatches.length);
    const withCohort = darkLaunch ? plain.map((r) => ({ ...r, headers: { ...r.headers, ...cohort } })) : [];
    const requests = [...plain, ...withCohort];
    const services = registeredServices([live, ...entry.others, ...stages.map((s) => s.route)], entry, [{ name: marker, namespace: ns, ports: [stablePort] }]);
    const { decisions: before } = await ask(view, entry, inputs, storedBefore, services, requests);
    const reachedOwned = (i: number) => before[i]!.kind === 'route' && (before[i] as Extract<Normalized, { kind: 'route' }>).clusters.every((c) => name(c.cluster) === 'marker');
    // Every match of the owned rule is reached by its request, with and without the cohort headers.
    ownedRequests.forEach((r) => {
      const i = requests.findIndex((q) => JSON.stringify(q) === JSON.stringify(r));
      expect(reachedOwned(i), `${entry.id} via ${view.parent}: ${JSON.stringify(r)} reaches the owned rule before the release → ${JSON.stringify(before[i])}`).toBe(true);
      if (darkLaunch) expect(reachedOwned(i + plain.length), `${entry.id} via ${view.parent}: the cohort's ${JSON.stringify(r)} reaches the owned rule before the release`).toBe(true);
    });

    for (const { stage, route } of storedStages) {
      tally.stages++;
      const { decisions: after, http } = await ask(view, entry, inputs, route, services, requests);
      if (stage.traffic.headerRule) {
        // The cohort is served as the owned rule serves everyone: same filters, timeouts, retries, foreign mirrors.
        const rules = route.spec.rules!;
        const dark = rules.findIndex((r) => r.name === headerRuleName(spec.name));
        const darkEntries = http.filter((h) => h.name === headerRuleName(spec.name));
        const ownedEntry = http.find((h) => h.name === convertedName(rules[dark + 1]!, dark + 1, route));
        expect(darkEntries.length > 0 && ownedEntry !== undefined, `${entry.id} via ${view.parent}, stage ${stage.id}: Istio's routes of the dark-launch and owned rules`).toBe(true);
        for (const d of darkEntries) expect(servedAs(d, fqdn(canary, ns)), `${entry.id} via ${view.parent}, stage ${stage.id}: the dark-launch rule serves as the owned rule`).toEqual(servedAs(ownedEntry!, fqdn(canary, ns)));
        tally.served++;
      }
      requests.forEach((r, i) => {
        const where = `${entry.id} via ${view.parent}, stage ${stage.id}: ${r.method} ${r.host}${r.path} ${JSON.stringify(r.headers)}`;
        const got = summary(after[i]!, name);
        if (!reachedOwned(i)) {
          tally.foreign++;
          expect(got, `${where} goes where it went before`).toEqual(summary(before[i]!, name));
        } else if (i >= plain.length && stage.traffic.headerRule) {
          tally.cohort++;
          const clusters = got.kind === 'route' ? got.clusters : [];
          expect(clusters, `${where}: the cohort goes to the canary only → ${JSON.stringify(got)}`).toEqual(['canary 1/1']);
        } else {
          tally.owned++;
          const expected = ownedDecision(summary(before[i]!, name), stage.traffic);
          expect(got, `${where} goes where the stage sends the owned rule's traffic`).toEqual(expected);
        }
      });
    }
  }
  tally.planned++;
}

describe('the HTTPRoute corpus, judged by Istio and the Gateway API schema', () => {
  const entries = loadHttpRouteCorpus();
  it.each(entries.map((e) => [e.id, e] as const))('%s', async (_id, entry) => {
    const outcome = planHttpRouteEntry(entry);
    if (outcome.kind === 'planned') await judge(entry, outcome.spec, outcome.plan);
  }, 300_000);

  afterAll(() => {
    console.log(
      `HTTPRoute corpus: ${tally.planned} planned entries, ${tally.stages} stage routes on ${tally.views} parents judged by Istio's conversion and the Gateway API schema; ${tally.cohort} cohort requests to the canary only, ${tally.owned} owned-rule requests by the stage's weights, ${tally.foreign} other requests where they went before; in ${tally.served} dark-launch stage routes Istio serves the cohort with the owned rule's filters, timeouts, retries and mirrors`,
    );
  });
});
