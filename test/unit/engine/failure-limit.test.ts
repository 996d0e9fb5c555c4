// failureLimit counts every failed evaluation of a stage, however long the stage bakes: the state
// annotation drops old evaluations to stay small, but never a failure the limit still counts.
import { expect, test } from 'vitest';
import { compactState, EVALUATIONS_KEPT } from '../../../src/core/state-codec.ts';
import { evaluation, rolloutState, stageRecord, verdict } from '../../support/rollout-fixtures.ts';
import { INTERVAL, STABLE, spec, world } from './harness.ts';

test('a third failure after many evaluations fails the stage even though older evaluations were compacted away', async () => {
  const failing = new Set([1, 2, 16]);
  let evaluation = 0;
  const w = world({
    spec: spec({ stages: [{ kind: 'weight', bake: 20 * INTERVAL, pause: false, weight: 10 }] }, { failureLimit: 3 }),
    health: () => (failing.has(++evaluation) ? 0 : 1),
  });
  const result = await w.exec('run');
  expect(evaluation).toBe(16);
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('health: failed 3 evaluation(s), limit 3');
  expect(w.traffic()).toEqual(STABLE);
});

test('only the open stage keeps every failure; a closed stage keeps its first failure and the latest evaluations', () => {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, i)).toISOString();
  const evals = Array.from({ length: 40 }, (_, i) => evaluation(at(i), [verdict('health', i % 2 === 0 ? 'fail' : 'pass', i)]));
  const state = rolloutState({
    history: [stageRecord('00-dark-launch', { evaluations: evals, endedAt: at(41), result: 'passed' }), stageRecord('01-mirror', { evaluations: evals, endedAt: undefined, result: 'in-progress' })],
  });
  const [closed, open] = compactState(state).history;
  expect(closed!.evaluations).toHaveLength(EVALUATIONS_KEPT);
  expect(closed!.evaluations[0]!.at).toBe(at(0));
  expect(open!.evaluations.filter((e) => e.verdicts[0]!.status === 'fail')).toHaveLength(20);
  expect(open!.evaluations.length + open!.omittedEvaluations!).toBe(40);
});
