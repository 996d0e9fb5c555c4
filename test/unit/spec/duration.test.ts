import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.ts';
import { formatPromDuration, parseDuration } from '../../../src/spec/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500], ['30s', 30_000], ['5m', 300_000], ['1h30m', 5_400_000], ['1.5s', 1_500], ['0', 0], ['0s', 0], ['2h0m5s', 7_205_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '5 m', '-1s', '1d', 'm5', '1h 30m', '5M'])('refuses %j with an InputError', (text) => {
    expect(() => parseDuration(text)).toThrow(InputError);
    expect(() => parseDuration(text)).toThrow(`expected a duration such as 500ms, 30s, 5m or 1h30m, got ${JSON.stringify(text)}`);
  });
});

describe('formatPromDuration', () => {
  it.each([[0, '0s'], [500, '500ms'], [60_000, '1m'], [90_000, '1m30s'], [5_400_000, '1h30m'], [3_600_001, '1h1ms']])('%i ms is %s', (ms, text) => {
    expect(formatPromDuration(ms)).toBe(text);
  });

  it('refuses negative and non-finite values', () => {
    expect(() => formatPromDuration(-1)).toThrow(RangeError);
    expect(() => formatPromDuration(Number.NaN)).toThrow(RangeError);
  });

  it('round-trips through parseDuration for every whole number of ms', () => {
    fc.assert(fc.property(fc.nat({ max: 30 * 24 * 3_600_000 }), (ms) => {
      const text = formatPromDuration(ms);
      expect(text).toMatch(/^(\d+(h|m|s|ms))+$/);
      expect(parseDuration(text)).toBe(ms);
    }));
  });
});
