// A signal that arrives while a Prometheus query hangs (its own timeout and retries can take half a
// minute) must roll back at once: GitHub kills the job seconds after SIGTERM.
import { expect, test } from 'vitest';
import type { Sample } from '../../../src/core/ports.ts';
import { STABLE, world } from './harness.ts';

test('a signal during a hung metrics query rolls back without waiting for the query', async () => {
  const controller = new AbortController();
  const w = world();
  const hung = {
    query: () => {
      queueMicrotask(() => controller.abort(new Error('cancelled by SIGTERM')));
      return new Promise<number | undefined>(() => {});
    },
    vector: () => new Promise<Sample[]>(() => {}),
  };
  const result = await w.exec('run', { signal: controller.signal, metrics: hung });
  expect(result.status).toBe('rolled-back');
  expect(result.failure).toContain('cancelled: cancelled by SIGTERM');
  expect(w.traffic()).toEqual(STABLE);
}, 5_000);
