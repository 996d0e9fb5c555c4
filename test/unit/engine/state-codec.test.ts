// The state annotation: round trip, shape check with clear messages, compaction under the budget.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compactState, decodeState, encodeState, EVALUATIONS_KEPT, STATE_BUDGET_BYTES } from '../../../src/core/state-codec.ts';
import type { RolloutState } from '../../../src/core/state.ts';
import { InputError } from '../../../src/errors.ts';
import type { VirtualService } from '../../../src/istio/types.ts';
import { evaluation, rolloutState, stageRecord, verdict } from '../../support/rollout-fixtures.ts';

const KEY = 'istio-canary.dev/catalog';
const vsWith = (text: string | undefined): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'catalog', namespace: 'shop', ...(text !== undefined ? { annotations: { [KEY]: text } } : {}) },
  spec: {},
});

function bigState(evaluations: number, promqlLength = 400): RolloutState {
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, i)).toISOString();
  const long = 'x'.repeat(promqlLength);
  const evals = Array.from({ length: evaluations }, (_, i) =>
    evaluation(at(i), [verdict('health', i === 3 ? 'fail' : 'pass', i, { queries: [{ role: 'value', promql: `${long}${i}`, value: i }] })]),
  );
  return rolloutState({ history: [stageRecord('00-dark-launch', { evaluations: evals }), stageRecord('01-mirror', { evaluations: evals })] });
}

describe('decodeState', () => {
  test('round-trips what encodeState writes', () => {
    const state = bigState(3);
    expect(decodeState(vsWith(encodeState(state)), KEY)).toEqual(state);
  });

  test('no annotation is no state', () => {
    expect(decodeState(vsWith(undefined), KEY)).toBeUndefined();
  });

  test.each([
    ['[1,2]', 'is not an istio-canary state: expected a JSON object'],
    ['{"schema":1}', 'is not an istio-canary state: field canary should be a string'],
    [JSON.stringify({ ...rolloutState(), status: 'done' }), 'field status should be one of in-progress, paused, promoted, rolled-back'],
    [JSON.stringify({ ...rolloutState(), stageIndex: 1.5 }), 'field stageIndex should be an integer >= -1'],
    [JSON.stringify({ ...rolloutState(), holder: { id: 7 } }), 'field holder should be {id, renewedAt, runUrl?}'],
    [JSON.stringify({ ...rolloutState(), history: [{ stage: 'x' }] }), 'history[0] should have stage and startedAt strings'],
    [JSON.stringify({ ...rolloutState(), schema: 0 }), 'was written by an older istio-canary (state schema 0)'],
  ])('%s is refused: %s', (text, message) => {
    const error = (() => {
      try {
        decodeState(vsWith(text), KEY);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toMatch(/^VirtualService shop\/catalog metadata\.annotations\["istio-canary\.dev\/catalog"\]: /);
    expect((error as Error).message).toContain('run `istio-canary abort`');
  });
});

describe('compactState', () => {
  test('keeps the first failure and the latest evaluations per stage, and counts the rest', () => {
    const compacted = compactState(bigState(50, 10));
    const record = compacted.history[0]!;
    expect(record.evaluations).toHaveLength(EVALUATIONS_KEPT);
    expect(record.evaluations[0]!.verdicts[0]!.status).toBe('fail');
    expect(record.evaluations.at(-1)!.verdicts[0]!.value).toBe(49);
    expect(record.omittedEvaluations).toBe(50 - EVALUATIONS_KEPT);
  });

  test('compacting twice is compacting once', () => {
    const once = compactState(bigState(50));
    expect(compactState(once)).toEqual(once);
  });

  test('any history fits the budget', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 3000 }), (evaluations, promql) => {
        const text = encodeState(bigState(evaluations, promql));
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
        const decoded = decodeState(vsWith(text), KEY)!;
        for (const record of decoded.history) expect(record.evaluations.length + (record.omittedEvaluations ?? 0)).toBe(evaluations);
      }),
      { numRuns: 40 },
    );
  });
});
