import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderQuery, templateProblems } from '../../../src/analysis/render.ts';
import type { QueryVars } from '../../../src/analysis/types.ts';
import { InputError } from '../../../src/errors.ts';
import { vars } from './fixtures.ts';
import { parsePromql } from './promql-parse.ts';

function renderError(template: string, with_: Partial<QueryVars> = {}): string {
  try {
    renderQuery(template, { ...vars, ...with_ });
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected renderQuery to throw');
}

describe('renderQuery', () => {
  it('substitutes every placeholder, with or without spaces', () => {
    const template =
      'sum(rate(errors_total{namespace="{{ namespace }}",workload="{{canaryWorkload}}",version="{{  canaryVersion }}"}[{{ interval }}]))';
    expect(renderQuery(template, vars)).toBe('sum(rate(errors_total{namespace="shop",workload="catalog-v2",version="v2"}[1m]))');
  });

  it('escapes values so they cannot leave their string', () => {
    const hostile = { ...vars, canaryWorkload: 'x"} or vector(100) or up{a="' };
    const rendered = renderQuery('sum(up{w="{{ canaryWorkload }}"})', hostile);
    expect(rendered).toBe('sum(up{w="x\\"} or vector(100) or up{a=\\""})');
    expect(parsePromql(rendered).errors).toBe(0);
  });

  it('keeps any value inside its string (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }).filter((s) => s !== ''), (workload) => {
        const rendered = renderQuery('sum(up{w="{{ canaryWorkload }}"})', { ...vars, canaryWorkload: workload });
        expect(parsePromql(rendered).errors).toBe(0);
      }),
    );
  });

  it.each([
    ['an unknown variable', 'up{a="{{ pod }}"}', {}, 'unknown variable {{ pod }}; known variables: namespace, service'],
    ['a misspelt variable', 'up{a="{{ canary_workload }}"}', {}, 'unknown variable {{ canary_workload }}'],
    ['a string variable outside quotes', 'up{a={{ namespace }}}', {}, '{{ namespace }} must be inside a double-quoted string'],
    ['a string variable in single quotes', "up{a='{{ namespace }}'}", {}, '{{ namespace }} must be inside a double-quoted string'],
    ['a string variable in a raw string', 'up{a=`{{ namespace }}`}', {}, '{{ namespace }} must be inside a double-quoted string'],
    ['interval inside a string', 'up{a="{{ interval }}"}', {}, '{{ interval }} is a PromQL duration and must not be inside a string'],
    ['an empty value', 'up{v="{{ canaryVersion }}"}', { canaryVersion: '' }, 'variable {{ canaryVersion }} has no value for this canary'],
    ['an interval that is not a duration', 'rate(x[{{ interval }}])', { interval: '1m]) or vector(1' }, 'is not a PromQL duration such as 30s or 1m'],
  ])('rejects %s', (_, template, with_, message) => {
    expect(renderError(template, with_)).toContain(message);
  });

  it('follows quotes with escaped quote characters and ignores quotes in comments', () => {
    expect(renderQuery('up{a="x\\"y",b="{{ namespace }}"}', vars)).toBe('up{a="x\\"y",b="shop"}');
    expect(renderQuery('# say "hi\nup{b="{{ namespace }}"}', vars)).toBe('# say "hi\nup{b="shop"}');
  });

  it('knows a comment ends at its line end even when a placeholder sits inside it', () => {
    // The quote in the comment opens no string: the version after the line break is outside quotes.
    expect(renderError('sum(rate(x[1m])) # {{ interval }} "\n + {{ canaryVersion }}')).toContain('{{ canaryVersion }} must be inside a double-quoted string');
    expect(renderQuery('up{b="{{ namespace }}"} # {{ canaryWorkload }} "\n', vars)).toBe('up{b="shop"} # catalog-v2 "\n');
  });

  it('never leaves a placeholder in its output', () => {
    expect(renderQuery('{{ interval }}{{ interval }}', vars)).toBe('1m1m');
  });
});

describe('templateProblems', () => {
  it('lists every problem of a template without needing values', () => {
    expect(templateProblems('up{a="{{ namespace }}",b={{ service }},c="{{ nope }}"}[{{ interval }}]')).toEqual([
      '{{ service }} must be inside a double-quoted string so its value can be escaped, e.g. label="{{ service }}"',
      'unknown variable {{ nope }}; known variables: namespace, service, canaryService, stableService, canaryWorkload, stableWorkload, canaryVersion, stableVersion, reporter, clientReporter, interval',
    ]);
  });

  it('accepts a correct template', () => {
    expect(templateProblems('sum(rate(x{ns="{{ namespace }}"}[{{ interval }}]))')).toEqual([]);
  });
});
