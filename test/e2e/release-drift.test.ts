// Drift on the real local mesh: during the 10 % stage someone sets the owned route to 70 % canary
// with kubectl; the stage reads its routing back at the next evaluation, fails naming the change, and
// the release is rolled back. A deleted header rule is put back with a warning.
import { describe, expect, it } from 'vitest';
import { editAs } from './support/field-manager.ts';
import {
  assertOnStable,
  assertPromoted,
  disposedAfterAll,
  newRelease,
  readVs,
  routesOf,
  runCli,
  stateOf,
  waitForStage,
  waitForVs,
  type HttpRoute,
} from './support/release-fixture.ts';

const track = disposedAfterAll();
const owned = (routes: HttpRoute[]) => routes.find((r) => r.name === 'primary' || (!r.match && r.name !== 'admin'))!;

describe.concurrent('release on the local mesh: routing changed by someone else', () => {
  it('weights set to 70 % canary during the 10 % stage: the stage fails naming the change, rolled back', async () => {
    const release = await track(newRelease('drift-weight', { spec: { bake: '6s' } }));
    const run = runCli(release, 'run');
    await waitForStage(release, '02-weight-10');
    await editAs(release.kc, { namespace: release.ns, name: 'catalog' }, 'kubectl-edit', (vs) => {
      const http = routesOf(vs).map((r) => (r === owned(routesOf(vs))
        ? { ...r, route: [{ destination: { host: 'catalog', subset: 'version-v1' }, weight: 30 }, { destination: { host: 'catalog', subset: 'version-v2' }, weight: 70 }] }
        : r));
      return { ...vs, spec: { ...vs.spec, http } };
    });
    const result = await run;

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the routing of stage 02-weight-10 was changed by someone else (last written by "kubectl-edit"): the canary weight is 70% (the stage set 10%)');
    const vs = await readVs(release);
    assertOnStable(release, vs);
    const state = stateOf(vs)!;
    expect(state.status).toBe('rolled-back');
    expect(state.reason).toContain('the canary weight is 70%');
    // Nothing judged at 70 % is recorded as the 10 % stage's: its evaluations all predate the edit.
    const stage = state.history.find((h) => h.stage === '02-weight-10')!;
    expect(stage.result).toBe('failed');
    expect(stage.canaryWeight).toBe(10);
  });

  it('the header rule deleted during a stage: put back with a warning, and the release goes on', async () => {
    const release = await track(newRelease('drift-header', { spec: { bake: '4s' } }));
    const run = runCli(release, 'run');
    await waitForStage(release, '01-mirror');
    await editAs(release.kc, { namespace: release.ns, name: 'catalog' }, 'kubectl-edit', (vs) => ({
      ...vs,
      spec: { ...vs.spec, http: routesOf(vs).filter((r) => r.name !== 'catalog-dark-launch') },
    }));
    await waitForVs(release, 'the header rule back', (vs) => routesOf(vs).some((r) => r.name === 'catalog-dark-launch'));
    const result = await run;

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('the header rule catalog-dark-launch of stage 01-mirror was deleted by someone else (last written by "kubectl-edit"); adding it back');
    assertPromoted(release, await readVs(release));
  });
});
