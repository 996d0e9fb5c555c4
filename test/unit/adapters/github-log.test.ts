// The action's log on GitHub: groups per stage (never nested), a failed gate as an error
// annotation naming the check and value, a rollback as a notice.
import type { AnnotationProperties } from '@actions/core';
import { describe, expect, it } from 'vitest';
import { createActionsLogger, type ActionsCore } from '../../../src/adapters/github-log.ts';
import { logSafe } from '../../../src/adapters/log-safe.ts';

function recordingCore(): ActionsCore & { calls: Array<[string, string, AnnotationProperties?]> } {
  const calls: Array<[string, string, AnnotationProperties?]> = [];
  return {
    calls,
    info: (m) => calls.push(['info', m]),
    warning: (m) => calls.push(['warning', m]),
    error: (m, p) => calls.push(['error', m, ...(p ? [p] : [])] as [string, string, AnnotationProperties?]),
    notice: (m, p) => calls.push(['notice', m, ...(p ? [p] : [])] as [string, string, AnnotationProperties?]),
    startGroup: (m) => calls.push(['startGroup', m]),
    endGroup: () => calls.push(['endGroup', '']),
  };
}

describe('the GitHub Actions logger', () => {
  it('groups each stage, ending the previous group first, and closes the last one', () => {
    const core = recordingCore();
    const log = createActionsLogger(core);
    log.event!({ kind: 'stage', stage: '00-weight-10', summary: '10% to canary' });
    log.info('baking');
    log.event!({ kind: 'stage', stage: '01-weight-50', summary: '50% to canary' });
    log.close();
    log.close();
    expect(core.calls.map((c) => c[0])).toEqual(['startGroup', 'info', 'endGroup', 'startGroup', 'endGroup']);
    expect(core.calls[0]![1]).toBe('Stage 00-weight-10: 10% to canary');
  });

  it('a failed gate is an error annotation with the check and its value; a rollback is a notice', () => {
    const core = recordingCore();
    const log = createActionsLogger(core);
    log.event!({ kind: 'gate-failed', stage: '01-weight-50', check: 'errors', value: 61.6, threshold: 'success rate >= 99%', reason: 'canary 28/73 errors vs stable 0/84' });
    log.event!({ kind: 'gate-failed', stage: '01-weight-50', check: 'latency', threshold: 'a value', reason: 'no data' });
    log.event!({ kind: 'rolled-back', canary: 'catalog', stable: 'version-v1', reason: 'stage 01-weight-50: errors failed' });
    expect(core.calls).toEqual([
      ['error', 'errors = 61.6, threshold success rate >= 99%: canary 28/73 errors vs stable 0/84', { title: 'Gate failed at 01-weight-50: errors = 61.6' }],
      ['error', 'latency = no data, threshold a value: no data', { title: 'Gate failed at 01-weight-50: latency = no data' }],
      ['notice', 'catalog: all traffic is back on version-v1. Why: stage 01-weight-50: errors failed', { title: 'Rolled back: catalog' }],
    ]);
  });

  it('writes no plain line the runner would run as a workflow command, whatever a check name or a server said', () => {
    const core = recordingCore();
    const log = createActionsLogger(core);
    const hostile = [
      '::add-mask::v2',
      'errors: Prometheus said\n::set-output name=status::promoted',
      'reason\r::stop-commands::tok',
      '  \t::error title=x::forged',
      'stage ok ##[error]forged',
      'fine\r\n ::endgroup::',
    ];
    for (const text of hostile) log.info(text);
    // The runner's reading: lines end at \n or \r; a line is a command if, after leading white
    // space, it starts with `::`, or if it holds `##[` anywhere.
    const lines = core.calls.flatMap(([, m]) => m.split(/\r\n|\r|\n/));
    expect(lines.filter((l) => /^\s*::/.test(l) || l.includes('##['))).toEqual([]);
    // The text stays readable: only a backslash is added.
    expect(core.calls.map(([, m]) => m)).toEqual([
      '\\::add-mask::v2',
      'errors: Prometheus said\n\\::set-output name=status::promoted',
      // A lone carriage return (a line end to the runner) is shown as \r by logSafe, on the same line.
      'reason\\r::stop-commands::tok',
      '  \t\\::error title=x::forged',
      'stage ok ##\\[error]forged',
      'fine\n \\::endgroup::',
    ]);
  });

  it('leaves ordinary lines, and colons inside a line, as they are', () => {
    expect(logSafe('10:01 stage 02-weight-10: errors = 99.9 ::ok')).toBe('10:01 stage 02-weight-10: errors = 99.9 ::ok');
  });
});
