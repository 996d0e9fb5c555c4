// The VirtualService and DestinationRule edits on richer objects than the seed: match conditions,
// route options, other routes, metadata, other subsets.
import { describe, expect, it } from 'vitest';
import type { DestinationRule, HttpRoute, VirtualService } from '../../../src/istio/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { canarySpec, stage, writesOf } from '../plan/helpers.ts';
import { headerRuleMarkKey } from '../../../src/istio/header-rule.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const v1 = { host: 'catalog.istioinaction.svc.cluster.local', subset: 'version-v1', port: { number: 3000 } };
const v2 = { ...v1, subset: 'version-v2' };

const owned: HttpRoute = {
  name: 'primary',
  match: [{ uri: { prefix: '/items' }, headers: { 'x-tenant': { exact: 'a' } } }, { uri: { exact: '/health' }, ignoreUriCase: true }],
  route: [{ destination: { host: 'catalog.istioinaction.svc.cluster.local', port: { number: 3000 } }, headers: { request: { set: { 'x-route': 'primary' } } } }],
  timeout: '3s',
  retries: { attempts: 3, perTryTimeout: '1s', retryOn: '5xx' },
  corsPolicy: { allowOrigins: [{ exact: 'https://shop.example' }] },
  fault: { delay: { percentage: { value: 1 }, fixedDelay: '1s' } },
  rewrite: { uri: '/v1/items' },
  headers: { response: { add: { 'x-served-by': 'catalog' } } },
};
const before: HttpRoute = { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'admin' } }] };
const after: HttpRoute = { name: 'fallback', directResponse: { status: 404 } };

function liveVs(): VirtualService {
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: 'catalog', namespace: 'istioinaction', resourceVersion: '4711', labels: { team: 'shop' }, annotations: { note: 'hand-made' } },
    spec: { hosts: ['catalog', 'catalog.example.com'], gateways: ['mesh', 'istio-system/public'], http: [before, owned, after], tcp: [{ route: [{ destination: { host: 'db' } }] }], exportTo: ['.'] },
  };
}

const spec = canarySpec({ route: 'primary' });

describe('header rule', () => {
  const plan = planRelease(spec, liveVs());
  const http = virtualServiceOf(plan.stages[0]!).spec.http!;

  it('is inserted directly before the owned route, other routes untouched and in order', () => {
    expect(http.map((r) => r.name)).toEqual(['admin', 'catalog-dark-launch', 'primary', 'fallback']);
    expect(http[0]).toEqual(before);
    expect(http[3]).toEqual(after);
  });

  it('ANDs the cohort header into each of the owned route\'s match blocks', () => {
    expect(http[1]!.match).toEqual([
      { uri: { prefix: '/items' }, headers: { 'x-tenant': { exact: 'a' }, 'x-istio-cohort': { exact: 'internal' } } },
      { uri: { exact: '/health' }, ignoreUriCase: true, headers: { 'x-istio-cohort': { exact: 'internal' } } },
    ]);
  });

  it('carries the owned route\'s options and sends to the canary subset with the same port and header edits', () => {
    const { name: _n, match: _m, route: _r, ...options } = owned;
    const { name: _n2, match: _m2, route, ...ruleOptions } = http[1]!;
    expect(ruleOptions).toEqual(options);
    expect(route).toEqual([{ destination: v2, headers: { request: { set: { 'x-route': 'primary' } } } }]);
  });

  it('pins the owned route to stable and keeps its options', () => {
    expect(http[2]).toEqual({ ...owned, route: [{ destination: v1, headers: { request: { set: { 'x-route': 'primary' } } } }] });
  });

  it('stays through later stages by default and goes at promotion and rollback', () => {
    expect(plan.stages.map((s) => s.traffic.headerRule)).toEqual([true, true, true, true, true]);
    expect(virtualServiceOf(plan.promoted).spec.http!.map((r) => r.name)).toEqual(['admin', 'primary', 'fallback']);
    expect(virtualServiceOf(plan.rollback).spec.http!.map((r) => r.name)).toEqual(['admin', 'primary', 'fallback']);
  });

  it('with keep: false is gone when its stage ends', () => {
    const p = planRelease(canarySpec({ route: 'primary', stages: [stage.darkLaunch(undefined, false), stage.weight(10)] }), liveVs());
    expect(p.stages.map((s) => virtualServiceOf(s).spec.http!.some((r) => r.name === 'catalog-dark-launch'))).toEqual([true, false]);
    expect(p.stages[1]!.summary).toBe('10% of catalog traffic to version-v2, 90% to version-v1');
  });

  it('keeps a mirror the owned route already has (someone else\'s, e.g. to an audit service) when no stage mirrors', () => {
    const noMirrorStage = canarySpec({ route: 'primary', stages: [stage.darkLaunch(), stage.weight(10)] });
    for (const foreign of [{ mirror: { host: 'audit' }, mirrorPercentage: { value: 5 } }, { mirrors: [{ destination: { host: 'audit' }, percentage: { value: 5 } }] }]) {
      const live = liveVs();
      live.spec.http![1] = { ...owned, ...foreign };
      const p = planRelease(noMirrorStage, live);
      for (const s of p.stages) {
        const rule = virtualServiceOf(s).spec.http!.find((r) => r.name === 'catalog-dark-launch')!;
        expect(rule).toMatchObject(foreign);
      }
    }
  });

  it('with a "present" header match and an owned route without match: one match block with just the header', () => {
    const live = liveVs();
    live.spec.http = [{ route: [{ destination: { host: 'catalog' } }] }];
    const p = planRelease(canarySpec({ stages: [stage.darkLaunch({ 'x-canary': {} })] }), live);
    expect(virtualServiceOf(p.stages[0]!).spec.http![0]!.match).toEqual([{ headers: { 'x-canary': {} } }]);
    expect(p.stages[0]!.summary).toBe('requests with header x-canary present go to version-v2; all other catalog traffic stays on version-v1');
  });
});

describe('owned route edits', () => {
  const plan = planRelease(spec, liveVs());
  const ownedAt = (i: number) => virtualServiceOf(plan.stages[i]!).spec.http!.find((r) => r.name === 'primary')!;

  it('mirror keeps the destination port and sets an explicit percentage', () => {
    expect(ownedAt(1).mirror).toEqual(v2);
    expect(ownedAt(1).mirrorPercentage).toEqual({ value: 100 });
    expect(ownedAt(2).mirror).toBeUndefined();
    expect(ownedAt(2).mirrorPercentage).toBeUndefined();
  });

  it('weights keep the destination\'s other fields', () => {
    const headers = { request: { set: { 'x-route': 'primary' } } };
    expect(ownedAt(2).route).toEqual([{ destination: v1, headers, weight: 90 }, { destination: v2, headers, weight: 10 }]);
  });

  it('promotion is a single canary destination', () => {
    const promoted = virtualServiceOf(plan.promoted).spec.http!.find((r) => r.name === 'primary')!;
    expect(promoted.route).toEqual([{ destination: v2, headers: { request: { set: { 'x-route': 'primary' } } } }]);
    expect(promoted.timeout).toBe('3s');
  });

  it('keeps metadata as live (resourceVersion for a guarded write) and everything outside http; writes v1', () => {
    for (const s of [...plan.stages, plan.promoted, plan.rollback]) {
      const { http: _h, ...rest } = virtualServiceOf(s).spec;
      const { http: _h2, ...liveRest } = liveVs().spec;
      expect(rest).toEqual(liveRest);
      // Only our header rule's mark is added, and only while the rule is there.
      const { [headerRuleMarkKey('catalog')]: mark, ...annotations } = virtualServiceOf(s).metadata.annotations ?? {};
      expect({ ...virtualServiceOf(s).metadata, annotations }).toEqual(liveVs().metadata);
      expect(mark !== undefined).toBe(s.traffic.headerRule);
      expect(virtualServiceOf(s).apiVersion).toBe('networking.istio.io/v1');
    }
  });

  it('does not modify its inputs', () => {
    const live = liveVs();
    planRelease(spec, live);
    expect(live).toEqual(liveVs());
  });
});

describe('a new release after a rolled-back one', () => {
  it('keeps the weight-0 destination of the rolled-back subset where it is, at weight 0, in every stage', () => {
    const live = liveVs();
    live.spec.http = [{ route: [{ destination: { host: 'catalog' } }] }];
    const rolledBack = virtualServiceOf(planRelease(canarySpec(), live).rollback);
    expect(rolledBack.spec.http![0]!.route!.map((d) => [d.destination.subset, d.weight])).toEqual([['version-v1', 100], ['version-v2', 0]]);
    const v3 = canarySpec({ canary: { subset: 'version-v3', labels: { version: 'v3' }, workload: 'catalog-v3', version: 'v3' } });
    const next = planRelease(v3, rolledBack);
    expect(next.detected).toBeUndefined();
    const weights = (vs: VirtualService, i: number) => vs.spec.http![i]!.route!.map((d) => [d.destination.subset, d.weight]);
    expect(weights(virtualServiceOf(next.baseline), 0)).toEqual([['version-v1', 100], ['version-v2', 0]]);
    expect(weights(virtualServiceOf(next.stages.at(-1)!), 1)).toEqual([['version-v1', 0], ['version-v3', 100], ['version-v2', 0]]);
    expect(weights(virtualServiceOf(next.promoted), 0)).toEqual([['version-v3', 100], ['version-v2', 0]]);
  });

  it('treats a weight-0 destination of another host the same way as a weight-0 subset', () => {
    const live = liveVs();
    live.spec.http = [{ route: [{ destination: { host: 'catalog' }, weight: 100 }, { destination: { host: 'catalog-next' }, weight: 0 }] }];
    const plan = planRelease(canarySpec(), live);
    const hosts = (vs: VirtualService) => vs.spec.http!.at(-1)!.route!.map((d) => [d.destination.host, d.destination.subset, d.weight]);
    expect(hosts(virtualServiceOf(plan.baseline))).toEqual([['catalog', 'version-v1', 100], ['catalog-next', undefined, 0]]);
    expect(hosts(virtualServiceOf(plan.stages.at(-1)!))).toEqual([['catalog', 'version-v1', 0], ['catalog', 'version-v2', 100], ['catalog-next', undefined, 0]]);
    expect(hosts(virtualServiceOf(plan.rollback))).toEqual([['catalog', 'version-v1', 100], ['catalog', 'version-v2', 0], ['catalog-next', undefined, 0]]);
  });

  it('still refuses another subset that carries traffic, or that is the only destination', () => {
    const live = liveVs();
    const to = (subset: string, weight?: number) => ({ destination: { host: 'catalog', subset }, ...(weight === undefined ? {} : { weight }) });
    live.spec.http = [{ route: [to('version-v1', 90), to('version-v0', 10)] }];
    expect(() => planRelease(canarySpec(), live)).toThrow("the route also sends 10 % of its traffic to subset 'version-v0', which is neither the stable subset 'version-v1' nor the canary subset 'version-v2'");
    live.spec.http = [{ route: [to('version-v0', 0)] }];
    expect(() => planRelease(canarySpec(), live)).toThrow("no http route sends traffic to the stable version (subset 'version-v1' of 'catalog')");
  });
});

describe('DestinationRule edits', () => {
  const dr: DestinationRule = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'catalog', namespace: 'istioinaction', resourceVersion: '12', annotations: { owner: 'shop' } },
    spec: {
      host: 'catalog.istioinaction.svc.cluster.local',
      trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 10 } } },
      subsets: [{ name: 'version-v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } }, { name: 'legacy', labels: { version: 'v0' } }],
    },
  };
  const plan = planRelease(spec, liveVs(), dr);
  const out = destinationRuleOf(plan.stages[0]!);

  it('adds the missing canary subset and keeps other subsets, policies and metadata', () => {
    expect(out.spec).toEqual({ ...dr.spec, subsets: [...dr.spec.subsets!, { name: 'version-v2', labels: { version: 'v2' } }] });
    expect(out.metadata).toEqual(dr.metadata);
  });

  it('writes the DestinationRule first and waits before the VirtualService references it', () => {
    expect(writesOf(plan.stages[0]!)).toEqual([{ kind: 'DestinationRule', settleAfter: true }, { kind: 'VirtualService', settleAfter: false }]);
    expect(plan.stages.slice(1).every((s) => writesOf(s).every((w) => w.kind === 'VirtualService'))).toBe(true);
  });

  it('is the same in every stage, promotion and rollback (subsets are never removed while referenced)', () => {
    for (const s of [...plan.stages, plan.promoted, plan.rollback]) expect(destinationRuleOf(s)).toEqual(out);
  });
});
