import { describe, expect, it } from 'vitest';
import { chiSquareCritical, chiSquareStatistic } from '../../sim/chi-square.ts';
import { route } from '../../sim/router.ts';
import { context, demoWorld, destinationRule, meshRequest, to, virtualService } from './fixtures.ts';

describe('chi-square critical values', () => {
  // Reference values (any statistics table): df, alpha, critical value.
  it.each([
    [1, 0.05, 3.841459],
    [2, 0.05, 5.991465],
    [3, 0.001, 16.266236],
    [10, 0.01, 23.209251],
  ])('df=%d alpha=%d → %d', (df, alpha, expected) => {
    expect(chiSquareCritical(df, alpha)).toBeCloseTo(expected, 4);
  });
});

describe('observed split matches the weights', () => {
  it.each([
    [[90, 10]],
    [[50, 50]],
    [[70, 20, 10]],
  ])('weights %j over 20 000 requests pass the chi-square test at alpha = 0.001', (weights) => {
    const subsets = weights.map((_, i) => `s${i}`);
    // Three subsets over two versions would merge counts, so give each subset its own version label.
    const world = demoWorld();
    world.services[0]!.versions = subsets.map((s) => ({ ...world.services[0]!.versions[0]!, name: s, labels: { version: s }, readyReplicas: 1 }));
    const vs = virtualService([{ route: subsets.map((s, i) => to(s, weights[i])) }]);
    const ctx = context(world, { virtualServices: [vs], destinationRules: [destinationRule(subsets.map((s) => [s, s]))] }, 42);
    const n = 20_000;
    const counts = new Map(subsets.map((s) => [s, 0]));
    for (let i = 0; i < n; i++) {
      const d = route(ctx, meshRequest());
      if (d.live.kind === 'served') counts.set(d.live.version.name, counts.get(d.live.version.name)! + 1);
    }
    const observed = subsets.map((s) => counts.get(s)!);
    expect(observed.reduce((a, b) => a + b, 0)).toBe(n);
    const total = weights.reduce((a, b) => a + b, 0);
    const statistic = chiSquareStatistic(observed, weights.map((w) => w / total));
    expect(statistic).toBeLessThan(chiSquareCritical(weights.length - 1, 0.001));
  });

  it('the test has power: a 85/15 split is rejected against 90/10 weights', () => {
    const observed = [17_000, 3_000];
    expect(chiSquareStatistic(observed, [0.9, 0.1])).toBeGreaterThan(chiSquareCritical(1, 0.001));
  });
});
