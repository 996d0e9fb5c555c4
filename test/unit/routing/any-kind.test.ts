// The planner holds objects of any kind: a made-up backend whose mirror stage needs an object of its
// own (as an egress ServiceEntry will) gets it created before the route that uses it, and deleted
// after the route stops using it, with no change outside its folder.
import { describe, expect, it } from 'vitest';
import { ownedLabels, type ObjectRef, type RoutingObject } from '../../../src/plan/objects.ts';
import type { ObjectOperation } from '../../../src/plan/types.ts';
import type { RoutingBackend } from '../../../src/routing/backend.ts';
import { planWith } from '../../../src/routing/plan.ts';
import { canarySpec, stage } from '../plan/helpers.ts';

const NS = 'istioinaction';
const ref = (kind: string, name: string): ObjectRef => ({ apiVersion: 'example.dev/v1', kind, namespace: NS, name });
const route = (canaryWeight: number, mirror: boolean): RoutingObject => ({ apiVersion: 'example.dev/v1', kind: 'Route', metadata: { name: 'catalog', namespace: NS }, spec: { canaryWeight, mirror } });
const mirrorTarget: RoutingObject = { apiVersion: 'example.dev/v1', kind: 'MirrorTarget', metadata: { name: 'catalog-mirror', namespace: NS, labels: ownedLabels('catalog') }, spec: { host: 'catalog-v2' } };

const routeSpec = (o: RoutingObject) => o.spec as { canaryWeight: number; mirror: boolean };

const made: RoutingBackend<RoutingObject> = {
  name: 'Route',
  reads: () => [{ ref: ref('Route', 'catalog') }, { ref: ref('MirrorTarget', 'catalog-mirror') }],
  stateObject: () => ref('Route', 'catalog'),
  strip: (_spec, live) => {
    const base = live.find((o) => o.kind === 'Route')!;
    return { base, baseline: [route(0, false)], before: [...live] };
  },
  apply: (_spec, _stripped, routing) => {
    const weight = routing.destinations.to === 'split' ? routing.destinations.canaryWeight : routing.destinations.to === 'canary' ? 100 : 0;
    const mirror = routing.mirrorPercentage !== undefined;
    return [...(mirror ? [mirrorTarget] : []), route(weight, mirror)];
  },
  readTraffic: (_spec, { base }) => ({ shape: 'stable', canaryWeight: routeSpec(base).canaryWeight, mirrorPercentage: routeSpec(base).mirror ? 100 : 0, headerRule: false }),
  validate: () => {},
  links: {
    provides: (o) => (o.kind === 'MirrorTarget' ? ['mirror:catalog'] : []),
    uses: (o) => (o.kind === 'Route' && routeSpec(o).mirror ? ['mirror:catalog'] : []),
  },
  versionLabels: () => undefined,
  legacyRuleNote: () => '',
};

const shape = (ops: ObjectOperation[]) => ops.filter((op) => op.action === 'delete' || op.changed).map((op) => `${op.action} ${op.ref.kind}${op.after.length ? ` after ${op.after.map((r) => r.kind).join(',')}` : ''}`);

describe('a stage holds objects of any kind', () => {
  const spec = canarySpec({ stages: [stage.mirror(100), stage.weight(10)] });

  it('creates the object a stage needs before the route that uses it, and deletes it after the route lets go', () => {
    const plan = planWith(made, spec, [route(0, false)]);
    expect(shape(plan.stages[0]!.operations)).toEqual(['apply MirrorTarget', 'apply Route after MirrorTarget']);
    expect(shape(plan.stages[1]!.operations)).toEqual(['apply Route', 'delete MirrorTarget after Route']);
    expect(plan.stateObject).toEqual(ref('Route', 'catalog'));
  });

  it('rolling back from the mirror stage deletes what the release created, after the route stops using it', () => {
    const plan = planWith(made, spec, [mirrorTarget, route(0, true)]);
    expect(plan.detected).toBe(0);
    expect(shape(plan.rollback.operations)).toEqual(['apply Route', 'delete MirrorTarget after Route']);
  });

  it('never deletes an object it did not create', () => {
    const theirs = { ...mirrorTarget, metadata: { name: 'catalog-mirror', namespace: NS } };
    const plan = planWith(made, spec, [theirs, route(0, true)]);
    expect(plan.rollback.operations.some((op) => op.action === 'delete')).toBe(false);
  });
});
