// The test behind every counted check: do the data show that a rate (errors per request, slow
// requests per request, or the canary's share of all errors) is above a limit? It may be asked at
// any moment of a stage, as often as the engine likes, and still keeps its error rate:
//   - at every look, an always-valid test: a mixture sequential probability ratio (Robbins' mixture
//     over a grid of alternatives). Under any rate at or below the limit, the ratio is a
//     non-negative supermartingale, so by Ville's inequality it ever reaches 1/a with probability
//     at most a, however many looks there are and whenever they happen;
//   - at the planned end of the stage, once, the exact binomial test at the rest of the level.
// A share ANYTIME_SHARE of alpha goes to the first, the rest to the second (Bonferroni), as in a
// Haybittle–Peto design: early stops need strong evidence, and the final test keeps nearly the
// power of a single fixed-size test.
import { binomialUpperTail, criticalCount, rateCaughtWith } from './stats.ts';

/** Part of alpha spent on the always-valid test at every look; the rest goes to the final exact test. */
export const ANYTIME_SHARE = 0.2;
/** The power with which a gate is said to "catch" a rate. */
export const CATCH_POWER = 0.9;
/** Alternatives of the mixture: odds of limit × 2, × 4, … up to the odds of 0.999, equally weighted. */
const ODDS_STEP = 2;
const TOP_RATE = 0.999;

export interface Counted {
  hits: number;
  trials: number;
}

export interface ExcessTest {
  /** The data show the rate above the limit at the test's level. */
  worse: boolean;
  /** p-value of the test that decided, or of the one that came closest. */
  p: number;
  /** The level that p was held against. */
  level: number;
  /** Which test gave `p`. */
  by: 'anytime' | 'final';
}

function alternativesOf(limit: number): number[] {
  const odds0 = limit / (1 - limit);
  const top = TOP_RATE / (1 - TOP_RATE);
  const rates: number[] = [];
  for (let odds = odds0 * ODDS_STEP; ; odds *= ODDS_STEP) {
    const capped = Math.min(odds, top);
    rates.push(capped / (1 + capped));
    if (capped >= top) return rates;
  }
}

/** ln of the mixture likelihood ratio of `c` for "rate > limit" against "rate = limit" (0 < limit < 1). */
export function mixtureLogRatio(c: Counted, limit: number): number {
  const rates = alternativesOf(limit);
  const logs = rates.map((r) => c.hits * (Math.log(r) - Math.log(limit)) + (c.trials - c.hits) * (Math.log1p(-r) - Math.log1p(-limit)));
  const max = Math.max(...logs);
  return max + Math.log(logs.reduce((s, l) => s + Math.exp(l - max), 0)) - Math.log(rates.length);
}

/** Always-valid p-value of "rate <= limit" after the counts `c` (1 / the mixture ratio, at most 1). */
export function anytimePValue(c: Counted, limit: number): number {
  if (c.hits <= 0) return 1;
  if (limit <= 0) return 0;
  if (limit >= 1) return 1;
  return Math.min(1, Math.exp(-mixtureLogRatio(c, limit)));
}

/** Exact p-value of "rate <= limit" for a fixed number of trials: P(X >= hits), X ~ Binomial(trials, limit). */
export function exactPValue(c: Counted, limit: number): number {
  return binomialUpperTail(c.hits, c.trials, Math.min(1, Math.max(0, limit)));
}

/** Tests "rate <= limit" on the counts so far; `final` is the one planned last look of the stage. */
export function excessTest(c: Counted, limit: number, alpha: number, final: boolean): ExcessTest {
  const anytimeLevel = alpha * ANYTIME_SHARE;
  const anytime = anytimePValue(c, limit);
  if (anytime <= anytimeLevel || !final) return { worse: anytime <= anytimeLevel, p: anytime, level: anytimeLevel, by: 'anytime' };
  const finalLevel = alpha - anytimeLevel;
  const exact = exactPValue(c, limit);
  return { worse: exact <= finalLevel, p: exact, level: finalLevel, by: 'final' };
}

/** The smallest rate that `trials` would have shown above `limit` at the final test with probability CATCH_POWER. */
export function rateCaught(trials: number, limit: number, alpha: number): number {
  return rateCaughtWith(criticalCount(trials, limit, alpha * (1 - ANYTIME_SHARE)), trials, CATCH_POWER);
}

/** Strict mode: do the counts show the rate below `limit` (exact one-sided test of "rate >= limit")? */
export function shownBelow(c: Counted, limit: number, alpha: number): { shown: boolean; p: number } {
  if (limit <= 0) return { shown: false, p: 1 };
  if (limit >= 1) return { shown: c.hits < c.trials, p: c.hits < c.trials ? 0 : 1 };
  // P(X <= hits) under rate = limit: 1 - P(X >= hits + 1).
  const p = 1 - binomialUpperTail(c.hits + 1, c.trials, limit);
  return { shown: p <= alpha, p };
}
