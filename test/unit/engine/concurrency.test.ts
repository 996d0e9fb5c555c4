// Other writers: concurrent edits, a second run, a run that died, a new version, damaged state,
// GitOps controllers and people with kubectl.
import { describe, expect, test } from 'vitest';
import { ClusterError, InputError, OwnershipError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { stateAnnotationKey } from '../../../src/core/state.ts';
import { ADMIN_ROUTE, BAKE, HOLDER_TIMEOUT, NS, STABLE, adminRouteOf, liveVirtualService, spec, trafficOf, world } from './harness.ts';

const KEY = stateAnnotationKey('catalog');

describe('concurrent writes', () => {
  test('an edit of another route between our read and our write survives: we re-read, re-plan and retry', async () => {
    let raced = false;
    const w = world({
      routing: {
        beforeWrite: ({ object }, store) => {
          if (object.kind !== 'VirtualService' || raced) return;
          raced = true;
          store.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
            vs.spec.http![0]!.timeout = '9s';
          });
        },
      },
    });
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    expect(adminRouteOf(w.vs())).toEqual({ ...ADMIN_ROUTE, timeout: '9s' });
    expect(w.log.messages('info').some((m) => m.includes('changed while writing'))).toBe(true);
  });

  test('an edit during a bake survives every later stage write', async () => {
    const w = world();
    w.clock.at(w.clock.now() + w.spec.settle + BAKE + 1, () => {
      w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
        vs.spec.http!.unshift({ name: 'beta', match: [{ headers: { 'x-beta': { exact: '1' } } }], route: [{ destination: { host: 'catalog-beta' } }] });
      });
    });
    expect((await w.exec('run')).status).toBe('promoted');
    expect(w.vs().spec.http!.map((r) => r.name)).toEqual(['beta', 'admin', undefined]);
  });

  test('someone who keeps writing makes us give up with a ClusterError, and the rollback still lands', async () => {
    let fights = 0;
    const w = world({
      routing: {
        beforeWrite: ({ object }, store) => {
          // Fights every write that would send 10% to the canary; leaves the rollback alone.
          if (object.kind === 'VirtualService' && trafficOf(object as VirtualService).canaryWeight === 10) {
            fights += 1;
            store.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
              vs.metadata.labels = { touched: String(fights) };
            });
          }
        },
      },
    });
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('gave up after 9 conflicting writes');
    expect(w.traffic()).toEqual(STABLE);
  });

  test('what the server stores is read back and verified: a webhook that changes the routing fails the stage', async () => {
    const w = world();
    const original = w.routing.write.bind(w.routing);
    w.routing.write = async (object) => {
      const stored = await original(object);
      const weights = JSON.stringify(stored).includes('"weight":50');
      if (stored.kind === 'VirtualService' && weights) {
        return w.routing.edit<VirtualService>('VirtualService', NS, 'catalog', (vs) => {
          vs.spec.http![1]!.retries = { attempts: 9 };
        }, 'mutating-webhook') as typeof stored;
      }
      return stored;
    };
    const result = await w.exec('run');
    expect(result.status).toBe('rolled-back');
    expect(result.failure).toContain('the API server stored something other than what was written (at spec.http[1].retries)');
  });
});

describe('holder', () => {
  test('a second run while one drives the rollout is refused with the holder and its run URL', async () => {
    const w = world();
    let second: Promise<unknown> | undefined;
    w.clock.at(w.clock.now() + w.spec.settle + BAKE / 2, () => {
      second = w.exec('run', { holder: { id: 'run-2' } }).catch((e: unknown) => e);
    });
    const first = await w.exec('run');
    const error = await second;
    expect(first.status).toBe('promoted');
    expect(error).toBeInstanceOf(OwnershipError);
    expect((error as Error).message).toMatch(/^catalog: another run drives this rollout: run-1 \(https:\/\/github.com\/acme\/shop\/actions\/runs\/1\), last renewed \d+s ago/);
  });

  test('a run that died is resumed at its stage by a new run once its holder expires, without redoing stages', async () => {
    let dead = false;
    const w = world({
      routing: {
        beforeWrite: () => {
          if (dead) throw new Error('process killed');
        },
      },
    });
    // The first run dies half-way through the 10% stage.
    const diesAt = w.clock.now() + w.spec.settle + 2 * BAKE + BAKE / 2 + 1;
    w.clock.at(diesAt, () => (dead = true));
    await expect(w.exec('run')).rejects.toThrow(ClusterError);
    dead = false;
    expect(w.state()).toMatchObject({ status: 'in-progress', stageIndex: 2 });
    expect(w.holder()).toMatchObject({ id: 'run-1' });

    // Too early: the dead run's holder still counts.
    await expect(w.exec('run', { holder: { id: 'run-2' } })).rejects.toThrow(/another run drives this rollout: run-1/);

    w.clock.advance(HOLDER_TIMEOUT);
    const resumed = await w.exec('run', { holder: { id: 'run-2' } });
    expect(resumed.status).toBe('promoted');
    expect(w.log.messages('warning').some((m) => m.startsWith('catalog: taking over the rollout from run run-1'))).toBe(true);
    const stages = w.state()!.history.map((r) => r.stage);
    expect(stages).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', 'promoted']);
  });

  test('a restarted run with the same holder continues the current stage for the rest of its bake', async () => {
    const w = world();
    await w.exec('start');
    w.clock.advance(BAKE / 2);
    const t = w.clock.now();
    const result = await w.exec('run');
    expect(result.status).toBe('promoted');
    const first = w.state()!.history[0]!;
    // The stage's bake ran from start, not from the restart.
    expect(Date.parse(first.endedAt!) - Date.parse(first.startedAt)).toBe(BAKE);
    expect(w.clock.now() - t).toBe(BAKE / 2 + 3 * BAKE);
  });

  test('a long bake renews the holder so another run never takes it over', async () => {
    const long = spec({ analysis: undefined });
    long.stages = long.stages.map((s) => ({ ...s, bake: 2 * HOLDER_TIMEOUT }));
    const w = world({ spec: long });
    const t0 = w.clock.now();
    let renewedAt = 0;
    let second: unknown;
    w.clock.at(t0 + HOLDER_TIMEOUT + 1, () => {
      renewedAt = Date.parse(w.holder()!.renewedAt);
      w.exec('run', { holder: { id: 'run-2' } }).catch((e: unknown) => (second = e));
    });
    expect((await w.exec('run')).status).toBe('promoted');
    // Renewed when two thirds of the timeout had passed since the holder was taken (before the
    // stage's first write), so it still counts when run-2 looks.
    expect(renewedAt).toBe(t0 + 2 * (HOLDER_TIMEOUT / 3));
    expect(second).toBeInstanceOf(OwnershipError);
  });
});

describe('a new version while one is under way', () => {
  async function v2Paused() {
    const s = spec();
    s.stages[1] = { ...s.stages[1]!, pause: true };
    const w = world({ spec: s });
    expect((await w.exec('run')).status).toBe('paused');
    return w;
  }
  const v3 = () => {
    const s = spec();
    s.canary = { subset: 'version-v3', labels: { version: 'v3' }, workload: 'catalog-v3', version: 'v3' };
    return s;
  };

  test('is refused, naming the version under way and the way out', async () => {
    const w = await v2Paused();
    const error = await w.exec('run', { spec: v3(), holder: { id: 'run-2' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipError);
    expect((error as Error).message).toBe(
      'catalog: a rollout of canary version-v2 is paused at stage 01-mirror on VirtualService istioinaction/catalog. Run `abort` first, or set supersede: true to roll it back and start version-v3.',
    );
    expect(w.traffic().mirror).toBe(50);
  });

  test('supersede rolls the old one back first, then releases the new one', async () => {
    const w = await v2Paused();
    const result = await w.exec('run', { spec: v3(), holder: { id: 'run-2' }, options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: true, forceConflicts: false } });
    expect(result.status).toBe('promoted');
    const owned = w.vs().spec.http!.find((r) => !r.match)!;
    expect(owned.route).toEqual([{ destination: { host: 'catalog', subset: 'version-v3' } }]);
    const v2Traffic = w.routing.history.filter((o) => o.kind === 'VirtualService').map((o) => JSON.stringify(o).includes('version-v2'));
    // After the rollback of v2 no write routes anything to v2 again.
    const lastV2 = v2Traffic.lastIndexOf(true);
    expect(v2Traffic.slice(lastV2 + 1).every((x) => !x)).toBe(true);
    expect(w.log.messages('error')).toContain(`catalog: rolling back to stable: superseded by version-v3 (spec ${w.state()!.specHash})`);
  });
});

describe('damaged state', () => {
  test('a corrupt annotation is one clear error naming the VirtualService and the annotation, with advice', async () => {
    const w = world({ vs: liveVirtualService({ annotations: { [KEY]: '{"schema":1,' } }) });
    const error = await w.exec('run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^VirtualService istioinaction\/catalog metadata\.annotations\["istio-canary\.dev\/catalog"\]: is not valid JSON \(.*\); run `istio-canary abort`/);
    expect(w.routing.writeCalls).toBe(0);
  });

  test('abort overwrites a corrupt annotation and puts traffic on stable', async () => {
    const w = world({ vs: liveVirtualService({ annotations: { [KEY]: 'garbage' } }) });
    expect((await w.exec('abort')).status).toBe('rolled-back');
    expect(w.state()!.status).toBe('rolled-back');
  });

  test('a state from a newer schema is refused', async () => {
    const w = world({ vs: liveVirtualService({ annotations: { [KEY]: JSON.stringify({ schema: 2 }) } }) });
    await expect(w.exec('status')).rejects.toThrow(/was written by a newer istio-canary \(state schema 2\); this version reads schema 1/);
  });
});

describe('who else writes the routes', () => {
  const argo = { managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:http': {} } } }] };

  test('a VirtualService Argo CD manages is refused before any write, pointing to commit mode', async () => {
    const w = world({ vs: liveVirtualService(argo) });
    const error = await w.exec('run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnershipError);
    expect((error as Error).message).toBe(
      'VirtualService istioinaction/catalog is managed by Argo CD (field manager "argocd-controller" in managedFields), which would revert every stage on its next sync. Release through git instead (commit mode), or set force-conflicts: true to write anyway.',
    );
    expect(w.routing.writeCalls).toBe(0);
  });

  test('a Flux-labelled VirtualService is refused too; force-conflicts writes anyway with a warning', async () => {
    const w = world({ vs: liveVirtualService({ labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } }) });
    await expect(w.exec('start')).rejects.toThrow(/managed by Flux \(kustomize-controller\) \(label kustomize\.toolkit\.fluxcd\.io\/name\)/);
    const forced = await w.exec('start', { options: { holderTimeoutMs: HOLDER_TIMEOUT, supersede: false, forceConflicts: true } });
    expect(forced.status).toBe('in-progress');
    expect(w.log.messages('warning').some((m) => m.endsWith('writing anyway because force-conflicts is set'))).toBe(true);
  });

  test('abort is never refused, even under a GitOps controller', async () => {
    const w = world({ vs: liveVirtualService(argo) });
    expect((await w.exec('abort')).status).toBe('rolled-back');
  });

  test('routes last written with kubectl are taken over with a warning naming the manager', async () => {
    const kubectl = { managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:http': {} } } }] };
    const w = world({ vs: liveVirtualService(kubectl) });
    expect((await w.exec('run')).status).toBe('promoted');
    expect(w.log.messages('warning')).toEqual(['VirtualService istioinaction/catalog: taking over the routes last written by "kubectl-client-side-apply"']);
  });
});
