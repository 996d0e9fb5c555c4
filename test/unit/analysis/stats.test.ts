import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binomialUpperTail,
  canaryWorsePValue,
  logGamma,
  requestsToBoundErrorRate,
  wilsonUpperBound,
  zeroErrorUpperBound,
} from '../../../src/analysis/stats.ts';

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

describe('canaryWorsePValue', () => {
  it('is the upper tail of the canary share of all errors', () => {
    // 4/120 canary vs 1/1080 stable: X ~ Binomial(5, 0.1); P(X >= 4) = 5·0.1^4·0.9 + 0.1^5 = 0.00046 (by hand).
    expect(canaryWorsePValue({ errors: 1, requests: 1080 }, { errors: 4, requests: 120 })).toBeCloseTo(0.00046, 12);
  });

  it('is 1 when the canary has no errors', () => {
    expect(canaryWorsePValue({ errors: 7, requests: 100 }, { errors: 0, requests: 100 })).toBe(1);
  });

  it('does not call an equal error rate worse', () => {
    expect(canaryWorsePValue({ errors: 10, requests: 1000 }, { errors: 1, requests: 100 })).toBeGreaterThan(0.5);
  });

  it('is in [0, 1] and grows less likely as canary errors grow (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n1, n2, r1, r2) => {
          const x1 = Math.floor(r1 * n1);
          const x2 = Math.floor(r2 * (n2 - 1));
          const p = canaryWorsePValue({ errors: x1, requests: n1 }, { errors: x2, requests: n2 });
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(canaryWorsePValue({ errors: x1, requests: n1 }, { errors: x2 + 1, requests: n2 })).toBeLessThanOrEqual(p + 1e-12);
        },
      ),
    );
  });
});

describe('wilsonUpperBound', () => {
  // Python: p = k/n; (p + z²/2n + z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.959963984540054
  it.each([
    [0, 100, 0.03699349820698568],
    [5, 100, 0.11175046923191914],
    [1, 3, 0.7923403991979523],
    [50, 50, 1],
    [0, 0, 1],
  ])('for %i in %i', (k, n, expected) => {
    expect(wilsonUpperBound(k, n)).toBeCloseTo(expected, 12);
  });

  it('is at least the observed rate and at most 1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const k = Math.floor(r * n);
        const bound = wilsonUpperBound(k, n);
        expect(bound).toBeGreaterThanOrEqual(k / n - 1e-12);
        expect(bound).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('minimum evidence (rule of three)', () => {
  it('bounds the error rate after n clean requests near 3/n', () => {
    // Python: 1 - 0.05 ** (1/100)
    expect(zeroErrorUpperBound(100)).toBeCloseTo(0.029513049607039932, 12);
    expect(zeroErrorUpperBound(100)).toBeCloseTo(3 / 100, 3);
    expect(zeroErrorUpperBound(0)).toBe(1);
  });

  it('needs about 3/e clean requests to claim an error rate below e', () => {
    // Python: ceil(log(0.05) / log(0.99)), ceil(log(0.05) / log(0.999))
    expect(requestsToBoundErrorRate(0.01)).toBe(299);
    expect(requestsToBoundErrorRate(0.001)).toBe(2995);
    expect(zeroErrorUpperBound(requestsToBoundErrorRate(0.01))).toBeLessThan(0.01);
    expect(zeroErrorUpperBound(requestsToBoundErrorRate(0.01) - 1)).toBeGreaterThanOrEqual(0.01);
  });

  it('rejects a rate outside (0, 1)', () => {
    expect(() => requestsToBoundErrorRate(0)).toThrow('error rate must be between 0 and 1 exclusive, got 0');
  });
});

describe('logGamma', () => {
  it('matches factorials', () => {
    // Python: math.lgamma(10.5), math.log(math.factorial(20))
    expect(logGamma(10.5)).toBeCloseTo(13.940625219403763, 12);
    expect(logGamma(21)).toBeCloseTo(42.335616460753485, 11);
  });
});
