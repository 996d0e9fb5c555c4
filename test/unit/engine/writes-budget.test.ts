// A release writes its routing objects once per routing change, plus at most one state-only write
// per stage (its verdict), whatever its stages, bakes, interval, holder timeout and checks say; the
// holder's renewals go to the holder record, never to the routing. bench/writes.ts measures the
// default spec on the real API server; this checks shapes the bench never runs.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { RoutingObject } from '../../../src/core/ports.ts';
import { jsonEqual } from '../../../src/istio/clone.ts';
import type { StageSpec } from '../../../src/spec/types.ts';
import { liveDestinationRule, liveVirtualService, NS, spec, world } from './harness.ts';

/** Writes whose spec differs from what that object held before (the fixtures first). */
function routingChanges(history: RoutingObject[]): number {
  const before = new Map<string, unknown>([
    [`VirtualService/${NS}/catalog`, liveVirtualService().spec],
    [`DestinationRule/${NS}/catalog`, liveDestinationRule().spec],
  ]);
  let changes = 0;
  for (const object of history) {
    const key = `${object.kind}/${object.metadata.namespace}/${object.metadata.name}`;
    if (!jsonEqual(before.get(key), object.spec)) changes += 1;
    before.set(key, object.spec);
  }
  return changes;
}

const stageList = fc
  .record({
    dark: fc.boolean(),
    mirror: fc.option(fc.integer({ min: 1, max: 100 }), { nil: undefined }),
    weights: fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 3 }).map((ws) => ws.sort((a, b) => a - b)),
    pauseAt: fc.option(fc.nat(4), { nil: undefined }),
  })
  .map(({ dark, mirror, weights, pauseAt }) => {
    const stages: Array<Omit<StageSpec, 'bake'>> = [];
    if (dark) stages.push({ kind: 'darkLaunch', pause: false, headers: { 'x-istio-cohort': { exact: 'internal' } }, keep: true } as Omit<StageSpec, 'bake'>);
    if (mirror !== undefined) stages.push({ kind: 'mirror', pause: false, percentage: mirror } as Omit<StageSpec, 'bake'>);
    for (const weight of weights) stages.push({ kind: 'weight', pause: false, weight } as Omit<StageSpec, 'bake'>);
    if (stages.length === 0) stages.push({ kind: 'weight', pause: false, weight: 50 } as Omit<StageSpec, 'bake'>);
    if (pauseAt !== undefined && pauseAt < stages.length) stages[pauseAt] = { ...stages[pauseAt]!, pause: true } as Omit<StageSpec, 'bake'>;
    return stages;
  });

test('property: a run writes the routing objects at most once per routing change plus once per stage', async () => {
  await fc.assert(
    fc.asyncProperty(
      stageList,
      fc.integer({ min: 1_000, max: 120_000 }), // interval
      fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 5, maxLength: 5 }), // bakes, in intervals
      fc.integer({ min: 0, max: 59_999 }), // part of an interval added to every bake
      fc.integer({ min: 3_000, max: 30 * 60_000 }), // holder timeout
      fc.integer({ min: 0, max: 10_000 }), // settle
      fc.integer({ min: 1, max: 3 }), // failureLimit
      fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), // which evaluations see a failing canary, cycled
      async (stages, interval, bakes, extra, holderTimeoutMs, settle, failureLimit, failing) => {
        const withBakes = stages.map((s, i) => ({ ...s, bake: bakes[i]! * interval + (extra % interval) }) as StageSpec);
        const s = spec({ stages: withBakes, settle }, { failureLimit });
        s.analysis = { ...s.analysis!, interval };
        let looks = 0;
        const w = world({ spec: s, health: () => (failing[looks++ % failing.length] ? 0 : 1) });
        const result = await w.exec('run', { options: { holderTimeoutMs, supersede: false, forceConflicts: false } });
        expect(['promoted', 'paused', 'rolled-back']).toContain(result.status);
        const writes = w.routing.history.length;
        expect(writes).toBeLessThanOrEqual(routingChanges(w.routing.history) + withBakes.length);
        // The evaluations are all recorded, with the verdicts, by those writes.
        expect(result.state.history.reduce((n, r) => n + r.evaluations.length + (r.omittedEvaluations ?? 0), 0)).toBe(
          w.state()!.history.reduce((n, r) => n + r.evaluations.length + (r.omittedEvaluations ?? 0), 0),
        );
      },
    ),
    { numRuns: 60 },
  );
});
