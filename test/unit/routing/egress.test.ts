// ServiceEntries in the plan: created first in the first stage (before any canary traffic), kept
// through every stage and promotion, deleted by the rollback after the routing is back on stable,
// or, when another release still needs them, written with this release taken off their users.
import { describe, expect, it } from 'vitest';
import { MANAGED_BY_LABEL, NEEDED_BY_ANNOTATION } from '../../../src/istio/service-entry.ts';
import type { ServiceEntry } from '../../../src/istio/types.ts';
import { CANARY_LABEL } from '../../../src/plan/objects.ts';
import type { ObjectOperation } from '../../../src/plan/types.ts';
import { planRelease } from '../../../src/routing/virtual-service/plan.ts';
import type { EgressSpec } from '../../../src/spec/types.ts';
import { canarySpec, seedDestinationRule, seedVirtualService } from '../plan/helpers.ts';

const HOST = 'jsonplaceholder.typicode.com';
const egress: EgressSpec = { hosts: [{ host: HOST, ports: [{ number: 80, protocol: 'HTTP', name: 'http-80' }], resolution: 'DNS' }], policy: 'fail' };
const spec = canarySpec({ egress });
const vs = () => seedVirtualService('mesh-virtualservice.yaml');

const changes = (ops: ObjectOperation[]) => ops.filter((op) => op.action === 'delete' || op.changed).map((op) => `${op.action} ${op.ref.kind}${op.ref.kind === 'ServiceEntry' ? ` ${op.ref.name}` : ''}`);
const kept = (ops: ObjectOperation[]) => ops.filter((op) => op.action === 'apply' && !op.changed).map((op) => op.ref.kind);

function liveEntry(neededBy: string, creator: string): ServiceEntry {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'ServiceEntry',
    metadata: { name: `egress-${HOST}`, namespace: 'istioinaction', resourceVersion: '42', labels: { [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: creator }, annotations: { [NEEDED_BY_ANNOTATION]: neededBy } },
    spec: { hosts: [HOST], ports: [{ number: 80, name: 'http-80', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS', exportTo: ['.'] },
  };
}

describe('ServiceEntries as object operations', () => {
  it('the first stage creates the entry before anything else; later stages and promotion keep it; the rollback deletes it last', () => {
    const plan = planRelease(spec, vs(), seedDestinationRule());
    const [first, ...later] = plan.stages;
    expect(changes(first!.operations)).toEqual([`apply ServiceEntry egress-${HOST}`, 'apply VirtualService']);
    const created = first!.operations[0]!;
    expect(created.action === 'apply' && created.object.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'istio-canary', [CANARY_LABEL]: 'catalog' });
    for (const stage of [...later, plan.promoted]) expect(kept(stage.operations)).toContain('ServiceEntry');
    expect(changes(plan.promoted.operations)).not.toContain(`apply ServiceEntry egress-${HOST}`);
  });

  it('the rollback of a release that created the entry deletes it after the routing is back on stable', () => {
    const plan = planRelease(spec, vs(), seedDestinationRule(), {}, [liveEntry('catalog', 'catalog')]);
    const ops = changes(plan.rollback.operations);
    expect(ops.at(-1)).toBe(`delete ServiceEntry egress-${HOST}`);
    expect(ops.indexOf('apply VirtualService')).toBeLessThan(ops.indexOf(`delete ServiceEntry egress-${HOST}`));
  });

  it('an entry another release still needs survives the rollback, written without this release', () => {
    const plan = planRelease(spec, vs(), seedDestinationRule(), {}, [liveEntry('catalog,forum', 'forum')]);
    // Only its annotation changes (the plan's `changed` is about spec; the engine writes any difference).
    expect(changes(plan.rollback.operations)).not.toContain(`delete ServiceEntry egress-${HOST}`);
    const op = plan.rollback.operations.find((o) => o.ref.kind === 'ServiceEntry')!;
    expect(op.action === 'apply' && op.object.metadata.annotations?.[NEEDED_BY_ANNOTATION]).toBe('forum');
    expect(op.action === 'apply' && op.object.metadata.resourceVersion).toBe('42');
  });

  it("sharing another release's entry adds this release to it in the first stage", () => {
    const plan = planRelease(spec, vs(), seedDestinationRule(), {}, [liveEntry('forum', 'forum')]);
    const op = plan.stages[0]!.operations[0]!;
    expect(op.action === 'apply' && op.object.metadata.annotations?.[NEEDED_BY_ANNOTATION]).toBe('catalog,forum');
    expect(op.action === 'apply' && op.object.metadata.labels?.[CANARY_LABEL]).toBe('forum');
  });

  it("somebody else's entry covering the host is neither written nor deleted", () => {
    const theirs: ServiceEntry = { ...liveEntry('', ''), metadata: { name: 'jsonplaceholder', namespace: 'istioinaction', resourceVersion: '7' } };
    const plan = planRelease(spec, vs(), seedDestinationRule(), {}, [theirs]);
    for (const stage of [...plan.stages, plan.promoted, plan.rollback]) expect(stage.operations.some((o) => o.ref.kind === 'ServiceEntry')).toBe(false);
  });
});
