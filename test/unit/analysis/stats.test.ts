import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binomialUpperTail, logGamma } from '../../../src/analysis/stats.ts';

// Reference values computed independently with exact rational arithmetic in Python 3:
//   from fractions import Fraction as F; from math import comb
//   tail = lambda k, n, p: float(sum(comb(n, i) * F(p)**i * (1 - F(p))**(n - i) for i in range(k, n + 1)))
describe('binomialUpperTail', () => {
  it.each([
    [3, 10, 0.2, 0.3222004736], // tail(3, 10, F(1, 5))
    [5, 5, 0.1, 1e-5], // tail(5, 5, F(1, 10))
    [500, 1000, 0.45, 0.0008465492166192585], // tail(500, 1000, F(45, 100))
    [6000, 10000, 0.59, 0.02143423942344299], // exact big-integer sum, comb(n, i) * 59**i * 41**(n-i) / 100**n
  ])('P(X >= %i) for Binomial(%i, %f)', (k, n, p, expected) => {
    expect(binomialUpperTail(k, n, p)).toBeCloseTo(expected, 12);
    expect(Math.abs(binomialUpperTail(k, n, p) / expected - 1)).toBeLessThan(1e-9);
  });

  it.each([
    [0, 10, 0.3, 1],
    [11, 10, 0.3, 0],
    [1, 10, 0, 0],
    [10, 10, 1, 1],
  ])('edge case P(X >= %i) for Binomial(%i, %f) = %f', (k, n, p, expected) => {
    expect(binomialUpperTail(k, n, p)).toBe(expected);
  });

  it('tails near 1 stay ordered within the precision of ln Γ', () => {
    const p = 1 - 1e-16;
    expect(binomialUpperTail(100, 359, p) - binomialUpperTail(99, 359, p)).toBeLessThan(1e-10);
  });

  it('stays finite and in [0, 1] for millions of trials', () => {
    const p = binomialUpperTail(5_100_000, 10_000_000, 0.5);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-300);
    // Symmetric binomial: P(X >= n/2) = (1 + C(n, n/2) / 2^n) / 2, and by Stirling's series
    // C(n, n/2) / 2^n = sqrt(2 / (pi n)) (1 - 1/(4n) + ...), Python: math.sqrt(2 / (math.pi * 1e7)) = 2.5231325220201604e-4.
    const middle = 2.52313252202016e-4 * (1 - 1 / 4e7);
    // ln C(n, k) from log-gamma differences of ~1.5e8 keeps about 8 significant digits at this size.
    expect(binomialUpperTail(5_000_000, 10_000_000, 0.5)).toBeCloseTo((1 + middle) / 2, 7);
  });

  it('is a probability and decreases as k grows (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (k, n, p) => {
        const here = binomialUpperTail(k, n, p);
        expect(here).toBeGreaterThanOrEqual(0);
        expect(here).toBeLessThanOrEqual(1);
        // Each tail starts from ln C(n, k) via Lanczos ln Γ, whose absolute error grows with n (a few 1e-12
        // at n = 400): two tails near 1 may differ the wrong way by that much (seen: k 99, n 359, p 1 - 1e-16).
        expect(binomialUpperTail(k + 1, n, p)).toBeLessThanOrEqual(here + 1e-10);
      }),
    );
  });
});

describe('logGamma', () => {
  it('matches factorials', () => {
    // Python: math.lgamma(10.5), math.log(math.factorial(20))
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 12);
    expect(logGamma(21)).toBeCloseTo(42.335616460753485, 11);
  });
});
