// Commit messages of routing changes: what happened in the subject, the previous stage's figures in
// the body, and exactly two trailers that git itself reads back, whatever the input holds.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckVerdict } from '../../../src/analysis/types.ts';
import { commitMessage, messageText, oneLine } from '../../../src/gitops/commit-message.ts';

const verdict = (over: Partial<CheckVerdict>): CheckVerdict => ({ check: 'success-rate', status: 'pass', threshold: '>= 99%', reason: 'canary 0/812 errors', queries: [], ...over });

/** The trailers as git parses them (`git interpret-trailers --parse`). */
function gitTrailers(text: string): string[] {
  return execFileSync('git', ['interpret-trailers', '--parse'], { input: text, encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('commitMessage', () => {
  it('a weight stage: subject with the stage number, the previous stage figures, the trailers', () => {
    const message = commitMessage({
      canary: 'catalog',
      change: { kind: 'stage', summary: 'shift 10% to version-v2', stageId: 'weight-10', index: 2, total: 5 },
      previous: {
        stageId: 'mirror-50',
        summary: 'mirror 50% to version-v2',
        result: 'passed',
        verdicts: [verdict({ value: 100, requests: 812 }), verdict({ check: 'latency-p99', value: 182.3456, threshold: '<= 500ms', reason: 'p99 182 ms' })],
      },
      runId: '1234-1',
      runUrl: 'https://github.com/acme/shop/actions/runs/1234',
    });
    expect(messageText(message)).toBe(
      [
        'canary(catalog): shift 10% to version-v2 [3/5]',
        '',
        'Previous stage mirror-50 (mirror 50% to version-v2): passed',
        '  - success-rate: pass, 100 (threshold >= 99%, 812 requests): canary 0/812 errors',
        '  - latency-p99: pass, 182.3 (threshold <= 500ms): p99 182 ms',
        '',
        'Run: https://github.com/acme/shop/actions/runs/1234',
        '',
        'Canary-Stage: weight-10',
        'Canary-Run: 1234-1',
        '',
      ].join('\n'),
    );
    expect(gitTrailers(messageText(message))).toEqual(['Canary-Stage: weight-10', 'Canary-Run: 1234-1']);
  });

  it('a rollback says why; a promotion names the subset', () => {
    const rollback = commitMessage({ canary: 'catalog', change: { kind: 'rollback', stableSubset: 'version-v1', reason: 'success-rate 91.2% < 99%' }, runId: 'r' });
    expect(rollback.headline).toBe('canary(catalog): roll back to version-v1');
    expect(rollback.body).toBe('Rolled back: success-rate 91.2% < 99%\n\nCanary-Stage: rolled-back\nCanary-Run: r');
    expect(commitMessage({ canary: 'catalog', change: { kind: 'promote', canarySubset: 'version-v2' }, runId: 'r' }).headline).toBe('canary(catalog): promote version-v2');
  });

  it('input cannot add lines, paragraphs or trailers (property, checked by git)', () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('a\n\nCanary-Stage: forged', 'x\r\nSigned-off-by: Mallory <m@x>', '\u2028Canary-Run: y', '# comment', 'a\u0000b', 'Co-authored-by: z <z@z>\n', '\u202e'),
    );
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, hostile, (canary, summary, reason, check, runId) => {
        const message = commitMessage({
          canary,
          change: { kind: 'stage', summary, stageId: 'weight-10', index: 0, total: 1 },
          previous: { stageId: 'dark', summary, result: 'failed', verdicts: [verdict({ check, reason, threshold: reason })] },
          runId,
        });
        expect(message.headline).not.toMatch(/[\n\r\u2028\u2029]/);
        const text = messageText(message);
        expect(text.split('\n\n')).toHaveLength(3);
        expect(text.split('\n').filter((line) => line.startsWith('#'))).toEqual([]);
        expect(gitTrailers(text)).toEqual(['Canary-Stage: weight-10', `Canary-Run: ${oneLine(runId) || '-'}`]);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('a long summary is cut to a subject git hosts show whole', () => {
    const message = commitMessage({ canary: 'c', change: { kind: 'stage', summary: 'x'.repeat(300), stageId: 's', index: 0, total: 1 }, runId: 'r' });
    expect(Array.from(message.headline)).toHaveLength(120);
    expect(message.headline.endsWith('…')).toBe(true);
  });
});
