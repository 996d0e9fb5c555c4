// Make before break: the order of a stage's object operations, from what each object provides and uses.
import { describe, expect, it } from 'vitest';
import type { DestinationRule, VirtualService } from '../../../src/istio/types.ts';
import { refKey, type ObjectRef, type RoutingObject } from '../../../src/plan/objects.ts';
import { operationsBetween } from '../../../src/plan/operations.ts';
import type { ObjectOperation } from '../../../src/plan/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import { subsetLinks } from '../../../src/routing/virtual-service/links.ts';
import { canarySpec, seedDestinationRule, seedVirtualService } from './helpers.ts';

const NS = 'istioinaction';
const dr = (subsets: string[], name = 'catalog'): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name, namespace: NS },
  spec: { host: 'catalog', subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
});
const vs = (weights: Record<string, number>): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'catalog', namespace: NS },
  spec: { hosts: ['catalog'], http: [{ route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host: 'catalog', subset }, weight })) }] },
});

const summary = (ops: ObjectOperation[]) =>
  ops.map((op) => ({ op: `${op.action} ${op.ref.kind}`, ...(op.action === 'apply' ? { changed: op.changed } : {}), after: op.after.map((r: ObjectRef) => r.kind) }));

describe('operationsBetween', () => {
  it('a new subset comes before the route that sends traffic to it', () => {
    const ops = operationsBetween([dr(['v1']), vs({ v1: 100 })], [vs({ v1: 90, v2: 10 }), dr(['v1', 'v2'])], subsetLinks);
    expect(summary(ops)).toEqual([
      { op: 'apply DestinationRule', changed: true, after: [] },
      { op: 'apply VirtualService', changed: true, after: ['DestinationRule'] },
    ]);
  });

  it('routes leave a subset before it is removed, whatever order the objects are given in', () => {
    const ops = operationsBetween([dr(['v1', 'v2']), vs({ v1: 50, v2: 50 })], [dr(['v2']), vs({ v2: 100 })], subsetLinks);
    expect(summary(ops)).toEqual([
      { op: 'apply VirtualService', changed: true, after: [] },
      { op: 'apply DestinationRule', changed: true, after: ['VirtualService'] },
    ]);
  });

  it('an object is deleted only after every route to what it provided is gone', () => {
    const extra = dr(['v3'], 'catalog-v3');
    const ops = operationsBetween([extra, vs({ v1: 90, v3: 10 })], [vs({ v1: 100 })], subsetLinks, [{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', namespace: NS, name: 'catalog-v3' }]);
    expect(summary(ops)).toEqual([
      { op: 'apply VirtualService', changed: true, after: [] },
      { op: 'delete DestinationRule', after: ['VirtualService'] },
    ]);
  });

  it('one write that adds the subset a route moves to and removes the one it leaves cannot be ordered: refused, not half-done', () => {
    // The route needs the new subset first, and the old subset may go only after the route left it.
    expect(() => operationsBetween([dr(['v2']), vs({ v2: 100 })], [dr(['v3']), vs({ v3: 100 })], subsetLinks)).toThrow(/depend on each other in a circle/);
  });

  it('an object that does not change is kept in place and waits for nothing', () => {
    const ops = operationsBetween([dr(['v1', 'v2']), vs({ v1: 100 })], [dr(['v1', 'v2']), vs({ v1: 90, v2: 10 })], subsetLinks);
    expect(summary(ops)).toEqual([
      { op: 'apply DestinationRule', changed: false, after: [] },
      { op: 'apply VirtualService', changed: true, after: [] },
    ]);
  });
});

describe('the VirtualService backend plans make before break', () => {
  const spec = canarySpec();
  const gatewaySpec = canarySpec({ virtualService: 'catalog-vs-from-gw' });
  const key = (op: ObjectOperation) => refKey(op.ref);

  it('without a DestinationRule: every stage, promotion and rollback create it before routing to its subsets', () => {
    const plan = planRelease(gatewaySpec, seedVirtualService('gateway-virtualservice.yaml'));
    for (const stage of [plan.stages[0]!, plan.rollback]) {
      const [first, second] = stage.operations;
      expect(first).toMatchObject({ action: 'apply', ref: { kind: 'DestinationRule', name: 'catalog' }, changed: true, after: [] });
      expect(second).toMatchObject({ action: 'apply', ref: { kind: 'VirtualService' }, changed: true });
      expect(second!.after.map((r) => refKey(r))).toEqual([key(first!)]);
    }
    // Later stages and promotion only move traffic between subsets that exist by then.
    for (const stage of [...plan.stages.slice(1), plan.promoted]) {
      expect(stage.operations.filter((op) => op.action === 'delete' || op.changed).map((op) => op.ref.kind)).toEqual(['VirtualService']);
      expect(stage.operations.every((op) => op.after.length === 0)).toBe(true);
    }
  });

  it('with both subsets in place: no stage writes the DestinationRule, and the state object is the VirtualService', () => {
    const dr = seedDestinationRule();
    dr.spec.subsets = [...(dr.spec.subsets ?? []).filter((s) => s.name !== 'version-v2'), { name: 'version-v2', labels: { version: 'v2' } }];
    const plan = planRelease(spec, seedVirtualService('traffic-shifting.yaml'), dr);
    expect(plan.stateObject).toMatchObject({ kind: 'VirtualService', namespace: 'istioinaction', name: 'catalog' });
    for (const stage of [...plan.stages, plan.promoted, plan.rollback]) {
      const changed = stage.operations.filter((op) => op.action === 'delete' || op.changed);
      expect(changed.map((op) => op.ref.kind).filter((k) => k === 'DestinationRule')).toEqual([]);
    }
  });

  it('labels the DestinationRule it creates as ours, and never the VirtualService it edits', () => {
    const plan = planRelease(gatewaySpec, seedVirtualService('gateway-virtualservice.yaml'));
    const objects = plan.stages[0]!.operations.flatMap((op): RoutingObject[] => (op.action === 'apply' ? [op.object] : []));
    expect(objects.find((o) => o.kind === 'DestinationRule')!.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'istio-canary', 'istio-canary.dev/canary': 'catalog' });
    expect(objects.find((o) => o.kind === 'VirtualService')!.metadata.labels).toEqual(seedVirtualService('gateway-virtualservice.yaml').metadata.labels);
    const withDr = planRelease(spec, seedVirtualService('traffic-shifting.yaml'), seedDestinationRule());
    const existing = withDr.stages[0]!.operations.find((op) => op.ref.kind === 'DestinationRule')!;
    expect(existing.action === 'apply' && existing.object.metadata.labels).toEqual(seedDestinationRule().metadata.labels);
  });
});
