// SIGINT/SIGTERM arrive as an aborted signal at any moment: the release must end rolled back (or
// promoted, if it had finished), never with canary traffic left over, and no route lost.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ReleaseFailedError } from '../../../src/errors.ts';
import { ADMIN_ROUTE, BAKE, STABLE, adminRouteOf, world } from './harness.ts';

const TOTAL = 4 * BAKE + 5_000; // four bakes and one settle delay

type Moment = { kind: 'time'; at: number } | { kind: 'write'; n: number };

async function cancelAt(moment: Moment) {
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('cancelled by SIGTERM'));
  const w = world({ routing: { beforeWrite: ({ n }) => void (moment.kind === 'write' && n === moment.n && cancel()) } });
  if (moment.kind === 'time') w.clock.at(w.clock.now() + moment.at, cancel);
  const outcome = await w.exec('run', { signal: controller.signal }).catch((e: unknown) => e);
  return { w, outcome, aborted: controller.signal.aborted };
}

describe('cancellation', () => {
  test('at any time or any write, the release ends on stable (or promoted if it finished first) with every route kept', async () => {
    const moment = fc.oneof(
      fc.record({ kind: fc.constant('time' as const), at: fc.integer({ min: 0, max: TOTAL + BAKE }) }),
      fc.record({ kind: fc.constant('write' as const), n: fc.integer({ min: 1, max: 20 }) }),
    );
    await fc.assert(
      fc.asyncProperty(moment, async (m) => {
        const { w, outcome, aborted } = await cancelAt(m);
        expect(adminRouteOf(w.vs())).toEqual(ADMIN_ROUTE);
        const state = w.state();
        if (state?.status === 'promoted') {
          expect(w.traffic()).toEqual({ canaryWeight: 100, mirror: 0, header: false });
        } else {
          expect(aborted).toBe(true);
          expect(w.traffic()).toEqual(STABLE);
          expect(outcome).toMatchObject({ status: 'rolled-back' });
          expect(state?.reason).toMatch(/^cancelled: cancelled by SIGTERM/);
        }
        expect(w.holder()).toBeUndefined();
      }),
      { numRuns: 60 },
    );
  });

  test('a signal during the settle delay after the DestinationRule write still rolls back, and the rollback is not cancelled', async () => {
    const { w, outcome } = await cancelAt({ kind: 'time', at: 1 });
    expect(outcome).toMatchObject({ status: 'rolled-back', canaryWeight: 0 });
    expect(w.traffic()).toEqual(STABLE);
    expect(w.state()!.history.map((r) => r.result)).toEqual(['rolled-back']);
  });

  test('a signal that arrives before anything is written fails the command without writing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled by SIGINT'));
    const w = world();
    const error = await w.exec('run', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReleaseFailedError);
    expect((error as Error).message).toBe('catalog: cancelled: cancelled by SIGINT before anything was written');
    expect(w.routing.writeCalls).toBe(0);
  });
});
