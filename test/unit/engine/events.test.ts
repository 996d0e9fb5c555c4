// The milestones a structured log shows (a group per stage, a failed gate, a completed rollback),
// emitted by the engine in the order things happen.
import { describe, expect, test } from 'vitest';
import { world, type Traffic } from './harness.ts';

const W10 = (t: Traffic) => t.canaryWeight === 10;

describe('release events', () => {
  test('a passing release: one stage event per stage, then the promotion; no gate failure, no rollback', async () => {
    const w = world();
    await w.exec('run');
    expect(w.log.events.map((e) => (e.kind === 'stage' ? e.stage : e.kind))).toEqual(['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', 'promoted']);
  });

  test('a failed gate names the check and its value, then the rollback stage and the completed rollback', async () => {
    const w = world({ health: (t) => (W10(t) ? 0 : 1) });
    await w.exec('run');
    const tail = w.log.events.slice(w.log.events.findIndex((e) => e.kind === 'stage' && e.stage === '02-weight-10'));
    expect(tail.map((e) => e.kind)).toEqual(['stage', 'gate-failed', 'stage', 'rolled-back']);
    expect(tail[1]).toMatchObject({ kind: 'gate-failed', stage: '02-weight-10', check: 'health', value: 0 });
    expect(tail[2]).toMatchObject({ kind: 'stage', stage: 'rollback' });
    expect(tail[3]).toMatchObject({ kind: 'rolled-back', canary: 'catalog', stable: 'version-v1' });
    expect((tail[3] as { reason: string }).reason).toContain('02-weight-10');
  });

  test('an abort is a rollback without a failed gate', async () => {
    const w = world();
    await w.exec('start');
    await w.exec('abort');
    expect(w.log.events.map((e) => e.kind)).toEqual(['stage', 'stage', 'rolled-back']);
  });
});
