// A stage holding for data (noData: hold) keeps renewing its holder between evaluations, like the bake
// does, so another run cannot take over a live run whose interval is longer than the holder timeout.
import { expect, test } from 'vitest';
import { OwnershipError } from '../../../src/errors.ts';
import { BAKE, INTERVAL, spec, world } from './harness.ts';

test('while a stage holds, a second run is refused: the holder is renewed between evaluations', async () => {
  const s = spec({ stages: [{ kind: 'weight', bake: BAKE, pause: false, weight: 10 }] }, { noData: 'hold' });
  s.analysis = { ...s.analysis!, maxHold: 4 * INTERVAL };
  const w = world({ spec: s, health: () => undefined });
  const holderTimeoutMs = INTERVAL / 2;
  const options = { holderTimeoutMs, supersede: false, forceConflicts: false };
  let second: unknown;
  // The bake ends at settle + BAKE; the hold's first wait is one interval after that.
  w.clock.at(w.clock.now() + s.settle + BAKE + 0.8 * INTERVAL, () => {
    w.exec('run', { holder: { id: 'run-2' }, options }).then(
      (r) => (second = r),
      (e: unknown) => (second = e),
    );
  });
  const first = await w.exec('run', { options });
  expect(first.status).toBe('rolled-back');
  expect(first.failure).toContain('hold expired');
  expect(second).toBeInstanceOf(OwnershipError);
});
