// The seed's two examples planned with the default stages, each stage checked field by field, and
// compared with the seed's own hand-written dark-launch, shifting and mirroring manifests.
import { describe, expect, it } from 'vitest';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { HttpRoute } from '../../../src/istio/types.ts';
import { canarySpec, seedDestinationRule, seedVirtualService, writesOf } from './helpers.ts';
import { destinationRuleOf, virtualServiceOf } from '../../../src/routing/virtual-service/objects.ts';

const v1 = { host: 'catalog', subset: 'version-v1' };
const v2 = { host: 'catalog', subset: 'version-v2' };
const cohort = { 'x-istio-cohort': { exact: 'internal' } };

describe('catalog behind gateway catalog-gateway (unpinned destination, no DestinationRule)', () => {
  const live = seedVirtualService('gateway-virtualservice.yaml');
  const spec = canarySpec({ virtualService: 'catalog-vs-from-gw' });
  const plan = planRelease(spec, live);

  it('names the stages in spec order', () => {
    expect(plan.stages.map((s) => s.id)).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100']);
    expect(plan.detected).toBeUndefined();
  });

  it('creates the DestinationRule with both subsets, written first with a settle delay', () => {
    const dr = destinationRuleOf(plan.stages[0]!);
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    // A DestinationRule the release creates carries the labels that let it be listed as ours.
    expect(dr.metadata).toEqual({ name: 'catalog', namespace: 'istioinaction', labels: { 'app.kubernetes.io/managed-by': 'istio-canary', 'istio-canary.dev/canary': 'catalog' } });
    expect(dr.spec).toEqual({ host: 'catalog', subsets: [{ name: 'version-v1', labels: { version: 'v1' } }, { name: 'version-v2', labels: { version: 'v2' } }] });
    expect(writesOf(plan.stages[0]!)).toEqual([{ kind: 'DestinationRule', settleAfter: true }, { kind: 'VirtualService', settleAfter: false }]);
    expect(writesOf(plan.stages[1]!)).toEqual([{ kind: 'VirtualService', settleAfter: false }]);
  });

  it('dark launch: header rule to v2 before the owned route, which is pinned to v1', () => {
    const vs = virtualServiceOf(plan.stages[0]!);
    expect(vs.spec.hosts).toEqual(['catalog.istioinaction.io']);
    expect(vs.spec.gateways).toEqual(['catalog-gateway']);
    expect(vs.spec.http).toEqual([
      { name: 'catalog-dark-launch', match: [{ headers: cohort }], route: [{ destination: v2 }] },
      { route: [{ destination: v1 }] },
    ]);
    expect(plan.stages[0]!.traffic).toEqual({ canaryWeight: 0, mirrorPercentage: 0, headerRule: true });
  });

  it('routes like the seed\'s hand-written dark launch', () => {
    const seed = seedVirtualService('dark-launch.yaml').spec.http!;
    const ours = virtualServiceOf(plan.stages[0]!).spec.http!;
    const strip = (r: HttpRoute) => ({ match: r.match, route: r.route });
    expect(ours.map(strip)).toEqual(seed.map(strip));
  });

  it('mirror: explicit 100% mirror to v2 on the owned route, header rule kept', () => {
    const http = virtualServiceOf(plan.stages[1]!).spec.http!;
    expect(http[0]!.name).toBe('catalog-dark-launch');
    expect(http[1]).toEqual({ route: [{ destination: v1 }], mirror: v2, mirrorPercentage: { value: 100 } });
  });

  it('weights: stable and canary with explicit weights summing to 100, mirror gone', () => {
    for (const [i, w] of [[2, 10], [3, 50], [4, 100]] as const) {
      const http = virtualServiceOf(plan.stages[i]!).spec.http!;
      expect(http[1]).toEqual({ route: [{ destination: v1, weight: 100 - w }, { destination: v2, weight: w }] });
      expect(http[0]!.name).toBe('catalog-dark-launch');
      expect(plan.stages[i]!.traffic).toEqual({ canaryWeight: w, mirrorPercentage: 0, headerRule: true });
    }
  });

  it('promoted: single v2 destination, no header rule, no mirror', () => {
    expect(virtualServiceOf(plan.promoted).spec.http).toEqual([{ route: [{ destination: v2 }] }]);
    expect(plan.promoted.traffic).toEqual({ canaryWeight: 100, mirrorPercentage: 0, headerRule: false });
  });

  it('rollback: v1 100 / v2 0 explicit, nothing else', () => {
    expect(virtualServiceOf(plan.rollback).spec.http).toEqual([{ route: [{ destination: v1, weight: 100 }, { destination: v2, weight: 0 }] }]);
    expect(virtualServiceOf(plan.rollback).spec.gateways).toEqual(['catalog-gateway']);
  });

  it('summaries say what each stage does', () => {
    expect(plan.stages.map((s) => s.summary)).toEqual([
      'requests with header x-istio-cohort exact "internal" go to version-v2; all other catalog traffic stays on version-v1',
      '100% of catalog traffic mirrored to version-v2, answered by version-v1 (header rule kept)',
      '10% of catalog traffic to version-v2, 90% to version-v1 (header rule kept)',
      '50% of catalog traffic to version-v2, 50% to version-v1 (header rule kept)',
      '100% of catalog traffic to version-v2, 0% to version-v1 (header rule kept)',
    ]);
  });
});

describe('catalog in the mesh (pinned to version-v1, DestinationRule present)', () => {
  const live = seedVirtualService('mesh-virtualservice.yaml');
  const dr = seedDestinationRule();
  const plan = planRelease(canarySpec(), live, dr);

  it('keeps the DestinationRule as it is (both subsets exist): no DestinationRule write', () => {
    expect(destinationRuleOf(plan.stages[0]!).spec).toEqual(dr.spec);
    expect(plan.stages.flatMap((s) => writesOf(s)).filter((w) => w.kind === 'DestinationRule')).toEqual([]);
  });

  it('the 10% stage routes like the seed\'s traffic-shifting manifest', () => {
    const seed = seedVirtualService('traffic-shifting.yaml').spec.http![0]!;
    const ours = virtualServiceOf(plan.stages[2]!).spec.http!.find((r) => r.name !== 'catalog-dark-launch')!;
    expect(ours.route).toEqual(seed.route);
  });

  it('the mirror stage mirrors like the seed\'s mirroring manifest, with the percentage explicit', () => {
    const seed = seedVirtualService('mirroring.yaml').spec.http![0]!;
    const ours = virtualServiceOf(plan.stages[1]!).spec.http![1]!;
    expect(ours.mirror).toEqual(seed.mirror);
    expect(ours.mirrorPercentage).toEqual({ value: 100 });
    expect(ours.route!.map((d) => d.destination)).toEqual(seed.route!.map((d) => d.destination));
  });

  it('reads the seed\'s shifting manifest back as the 10% stage', () => {
    const midRelease = planRelease(canarySpec({ stages: canarySpec().stages.slice(2) }), seedVirtualService('traffic-shifting.yaml'), dr);
    expect(midRelease.detected).toBe(0);
  });

  it('reads the seed\'s mirroring manifest back as the mirror stage (unset percentage = 100)', () => {
    const withoutDark = canarySpec({ stages: canarySpec().stages.slice(1) });
    expect(planRelease(withoutDark, seedVirtualService('mirroring.yaml'), dr).detected).toBe(0);
  });
});

describe('independence of planned objects', () => {
  it('no two stages, and no two routes of one VirtualService, share an object', () => {
    const live = seedVirtualService('mesh-virtualservice.yaml');
    live.spec.http![0]!.retries = { attempts: 3 };
    const plan = planRelease(canarySpec(), live, seedDestinationRule());
    const seen = new Set<object>();
    const visit = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      expect(seen.has(value)).toBe(false);
      seen.add(value);
      Object.values(value).forEach(visit);
    };
    for (const s of [...plan.stages, plan.promoted, plan.rollback]) {
      visit(virtualServiceOf(s));
      visit(destinationRuleOf(s));
    }
  });
});
