// The canary-vs-stable test is corrected for every look of the release, not of one stage.
import { expect, test } from 'vitest';
import { looksOf } from '../../../src/engine/judge-stage.ts';
import { spec } from './harness.ts';

test('looks are counted over every weight stage (interim and final), dark launch and mirror excluded', () => {
  const s = spec();
  const analysis = { ...s.analysis!, interval: 60_000 };
  const stages = [
    { kind: 'darkLaunch' as const, headers: {}, keep: true, bake: 300_000, pause: false },
    { kind: 'mirror' as const, percentage: 100, bake: 300_000, pause: false },
    { kind: 'weight' as const, weight: 10, bake: 300_000, pause: false },
    { kind: 'weight' as const, weight: 50, bake: 150_000, pause: false },
    { kind: 'weight' as const, weight: 100, bake: 60_000, pause: false },
  ];
  expect(looksOf(analysis, stages)).toBe(5 + 3 + 1);
  expect(looksOf(analysis, stages.slice(0, 2))).toBe(1);
});
