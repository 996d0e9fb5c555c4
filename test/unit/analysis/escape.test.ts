import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { escapePromqlRegex, escapePromqlString, quotePromqlString } from '../../../src/analysis/escape.ts';
import { parsePromql as parse } from './promql-parse.ts';

// Only Go/JSON-common escapes are emitted, so JSON.parse is an independent decoder of the literal.
const decode = (literal: string): string => JSON.parse(literal) as string;

describe('escapePromqlString', () => {
  it.each([
    ['plain', 'catalog-v2', 'catalog-v2'],
    ['double quote', 'a"b', 'a\\"b'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['newline', 'a\nb', 'a\\nb'],
    ['carriage return and tab', '\r\t', '\\r\\t'],
    ['other control characters', '\u0000\u001f\u007f', '\\u0000\\u001f\\u007f'],
    ['an attempt to close the matcher', '"} or vector(1) or up{a="', '\\"} or vector(1) or up{a=\\"'],
    ['a lone surrogate', 'a\ud800b', 'a\ufffdb'],
  ])('escapes %s', (_, value, escaped) => {
    expect(escapePromqlString(value)).toBe(escaped);
  });

  it('renders a selector that parses and keeps the value, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        const parsed = parse(`up{job=${quotePromqlString(value)},x="y"}`);
        expect(parsed.errors).toBe(0);
        expect(parsed.matchers).toBe(2);
        expect(parsed.strings.map(decode)).toEqual([value.toWellFormed(), 'y']);
      }),
      { numRuns: 500 },
    );
  });
});

describe('escapePromqlRegex', () => {
  it('matches exactly the value, as RE2 reads the decoded string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 30 }), (value) => {
        const parsed = parse(`up{job=~"${escapePromqlRegex(value)}"}`);
        expect(parsed.errors).toBe(0);
        const pattern = decode(parsed.strings[0] ?? '""');
        expect(RE2JS.compile(pattern).matches(value)).toBe(true);
        expect(RE2JS.compile(pattern).matches(`${value}x`)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes metacharacters so a workload name with dots matches only itself', () => {
    const pattern = decode(`"${escapePromqlRegex('app.v2')}"`);
    expect(RE2JS.compile(pattern).matches('app.v2')).toBe(true);
    expect(RE2JS.compile(pattern).matches('appXv2')).toBe(false);
  });
});
