import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plan, PlannedStage } from '../../../src/plan/types.ts';
import { GITHUB_COMMENT_LIMIT, renderReport } from '../../../src/report/markdown.ts';
import { canarySpec, evaluation, rolloutState, stageRecord, verdict } from '../../support/rollout-fixtures.ts';

const spec = canarySpec();

/** Table rows of the report, split into cells on unescaped pipes. */
function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| '))
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

function rowOf(markdown: string, stage: string): string[] {
  const row = tableRows(markdown).find((cells) => cells[0] === stage);
  if (!row) throw new Error(`no row for ${stage} in\n${markdown}`);
  return row;
}

/** Markdown with every fenced code block removed, to look at what is rendered as markdown/HTML. */
function outsideCode(markdown: string): string {
  return markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '');
}

/** Contents of the fenced PromQL blocks, in order. */
function codeBlocks(markdown: string): string[] {
  return Array.from(markdown.matchAll(/^(`{3,})promql\n([\s\S]*?)\n\1$/gm), (m) => m[2]!);
}

const passedHistory = [
  stageRecord('00-dark-launch', { headerRule: true, evaluations: [evaluation('2026-01-01T10:01:00Z', [verdict('success-rate', 'pass', 99.7), verdict('latency-p99', 'pass', 120)])] }),
  stageRecord('01-mirror', { headerRule: true, mirrorPercentage: 100, startedAt: '2026-01-01T10:02:00Z', endedAt: '2026-01-01T10:05:20Z', evaluations: [evaluation('2026-01-01T10:03:00Z', [verdict('success-rate', 'pass', 99.9), verdict('latency-p99', 'pass', 130)])] }),
  stageRecord('02-weight-10', { canaryWeight: 10, headerRule: true, evaluations: [evaluation('2026-01-01T10:06:00Z', [verdict('success-rate', 'pass', 99.95), verdict('latency-p99', 'pass', 140)])] }),
  stageRecord('03-weight-50', { canaryWeight: 50, headerRule: true, evaluations: [evaluation('2026-01-01T10:08:00Z', [verdict('success-rate', 'pass', 99.8), verdict('latency-p99', 'pass', 150)])] }),
  stageRecord('04-weight-100', { canaryWeight: 100, headerRule: true, evaluations: [evaluation('2026-01-01T10:10:00Z', [verdict('success-rate', 'pass', 99.85), verdict('latency-p99', 'pass', 160)])] }),
  stageRecord('promoted', { canaryWeight: 100, result: 'promoted', endedAt: '2026-01-01T10:00:01Z' }),
];

describe('renderReport', () => {
  it('lists every stage with its traffic, result, duration and each check value against its threshold', () => {
    const md = renderReport({ spec, state: rolloutState({ status: 'promoted', stageIndex: -1, history: passedHistory }) });
    expect(md.split('\n')[0]).toBe('### ✅ Promoted: all traffic on version-v2; last gate success-rate 99.85 % vs ≥ 99 %');
    expect(md).toContain('istio-canary **catalog** · VirtualService istioinaction/catalog · version-v1 → version-v2');
    const header = tableRows(md)[0]!;
    expect(header).toEqual(['Stage', 'Traffic to canary', 'Result', 'Time', 'success-rate', 'latency-p99']);
    expect(rowOf(md, '00-dark-launch')).toEqual(['00-dark-launch', 'header rule', '✅ passed', '1m 30s', '✅ 99.7 % vs ≥ 99 %', '✅ 120 ms vs ≤ 500 ms']);
    expect(rowOf(md, '01-mirror').slice(0, 4)).toEqual(['01-mirror', 'mirror 100 % + header rule', '✅ passed', '3m 20s']);
    expect(rowOf(md, '02-weight-10')[1]).toBe('10 % + header rule');
    expect(rowOf(md, '03-weight-50')[4]).toBe('✅ 99.8 % vs ≥ 99 %');
    expect(rowOf(md, '04-weight-100')[1]).toBe('100 %');
    expect(rowOf(md, 'promoted')[2]).toBe('✅ promoted');
    expect(md).toContain('Driving run: [run 42](https://github.com/acme/shop/actions/runs/42)');
  });

  it('shows a failed stage with the reason, the values that failed it and the PromQL behind them', () => {
    const failing = verdict('success-rate', 'fail', 91.5, {
      reason: 'canary 102/1200 errors vs stable 3/10800: p=1e-9',
      queries: [{ role: 'canary-errors', promql: 'sum(increase(istio_requests_total{response_code=~"5.."}[1m]))', value: 102 }],
    });
    const history = [
      ...passedHistory.slice(0, 3),
      stageRecord('03-weight-50', { canaryWeight: 50, result: 'failed', evaluations: [evaluation('2026-01-01T10:08:00Z', [failing, verdict('latency-p99', 'no-data', undefined)], 'fail')] }),
      stageRecord('rollback', { result: 'rolled-back' }),
    ];
    const md = renderReport({ spec, state: rolloutState({ status: 'rolled-back', stageIndex: -1, reason: 'check success-rate failed at 03-weight-50', history }) });
    expect(md.split('\n')[0]).toBe('### ↩️ Rolled back at 50 %: success-rate 91.5 % vs ≥ 99 %');
    expect(md.split('\n')[2]).toBe('canary 102/1200 errors vs stable 3/10800: p=1e-9');
    const row = rowOf(md, '03-weight-50');
    expect(row[2]).toBe('❌ failed');
    expect(row[4]).toBe('❌ 91.5 % vs ≥ 99 %');
    expect(row[5]).toBe('⏳ no data vs ≤ 500 ms');
    expect(md).toContain('<details open>\n<summary>03-weight-50: 1 evaluation (failed)</summary>');
    expect(md).toContain('<details>\n<summary>02-weight-10: 1 evaluation (passed)</summary>');
    expect(codeBlocks(md)).toContain('sum(increase(istio_requests_total{response_code=~"5.."}[1m]))');
    expect(md).toContain('Query _canary-errors_ = 102'.replace('\\', ''));
  });

  it('lists the stages still to come when a plan is given and the rollout is running', () => {
    const plannedStage = (index: number, id: string, canaryWeight: number): PlannedStage => ({
      index,
      id,
      kind: 'weight',
      summary: `${canaryWeight}% to canary`,
      traffic: { canaryWeight, mirrorPercentage: 0, headerRule: true },
      operations: [],
    });
    const stages = [plannedStage(0, '00-dark-launch', 0), plannedStage(1, '01-mirror', 0), plannedStage(2, '02-weight-10', 10), plannedStage(3, '03-weight-50', 50)];
    const plan: Plan = { stages, promoted: stages[3]!, rollback: stages[0]!, baseline: [], stateObject: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'istioinaction', name: 'catalog' } };
    const history = [passedHistory[0]!, passedHistory[1]!, stageRecord('02-weight-10', { canaryWeight: 10, result: 'in-progress', startedAt: '2026-01-01T10:06:00Z', endedAt: undefined })];
    const md = renderReport({ spec, plan, now: '2026-01-01T10:06:45Z', state: rolloutState({ stageIndex: 2, history }) });
    expect(md.split('\n')[0]).toBe('### 🔄 Releasing version-v2: 10 % (stage 02-weight-10)');
    expect(rowOf(md, '02-weight-10').slice(2, 4)).toEqual(['🔄 baking', '45s so far']);
    expect(rowOf(md, '03-weight-50').slice(1, 4)).toEqual(['50 % + header rule', '· to come', '—']);
    expect(tableRows(md).map((r) => r[0])).toEqual(['Stage', '---', '00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50']);
  });

  it('escapes pipes, HTML, backticks and comment terminators in names, reasons and queries', () => {
    const hostile = 'a|b <img src=x onerror=alert(1)> `code` --> </details> @octocat [x](javascript:alert(1))';
    const history = [
      stageRecord('00-dark-launch', {
        result: 'failed',
        evaluations: [evaluation('2026-01-01T10:01:00Z', [verdict(hostile, 'fail', 1, { reason: hostile, threshold: hostile, queries: [{ role: hostile, promql: 'up ``` </details> ````\n```', value: 1 }] })], 'fail')],
      }),
    ];
    const md = renderReport({ spec: canarySpec({ name: hostile }), state: rolloutState({ status: 'rolled-back', reason: hostile, history }) });
    // The next step is ours (with code spans of its own); everything above it carries the hostile text.
    const rendered = outsideCode(md.slice(0, md.indexOf('#### Next step')));
    expect(rendered).not.toMatch(/<(?!\/?(details|summary)>|details open>)/);
    expect(rendered).not.toContain('-->');
    expect(rendered.match(/<\/details>/g)).toHaveLength(2); // the evaluations block and the stage's own
    expect(rendered).not.toMatch(/(?<!\\)`/);
    expect(rendered).not.toMatch(/(?<!\\)\[x\]/);
    expect(rendered).not.toContain('@octocat');
    // 4 fixed columns, the spec's two checks and the hostile one.
    for (const row of tableRows(md)) expect(row).toHaveLength(7);
    expect(codeBlocks(md)).toEqual(['up ``` </details> ````\n```']);
  });

  it('escapes verdict fields that come unchecked from the state annotation (status, request count)', () => {
    // decodeState checks the shape of records, not of verdicts: anyone who can edit the VirtualService can put text there.
    const hostile = '<img src=x onerror=alert(1)> @octocat';
    const forged = { ...verdict('success-rate', 'fail', 1), status: hostile, requests: hostile } as unknown as ReturnType<typeof verdict>;
    const history = [stageRecord('00-dark-launch', { result: 'failed', evaluations: [evaluation('2026-01-01T10:01:00Z', [forged], 'fail')] })];
    const rendered = outsideCode(renderReport({ spec, state: rolloutState({ status: 'rolled-back', history }) }));
    expect(rendered).not.toMatch(/<(?!\/?(details|summary)>|details open>)/);
    expect(rendered).not.toContain('@octocat');
  });

  it('keeps arbitrary text inside its cell and arbitrary queries inside their code block', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (name, reason, promql) => {
        const history = [stageRecord(name, { evaluations: [evaluation('t', [verdict('success-rate', 'pass', 1, { reason, queries: [{ role: 'value', promql, value: 1 }] })])] })];
        const md = renderReport({ spec, state: rolloutState({ status: 'rolled-back', reason, history }) });
        const rows = tableRows(md);
        expect(rows.every((row) => row.length === 6)).toBe(true);
        expect(codeBlocks(md)).toEqual([promql.replace(/\r\n|\r/g, '\n')]);
        expect(outsideCode(md)).not.toMatch(/<(?!\/?(details|summary)>|details open>)/);
      }),
    );
  });

  it('stays under the comment limit with a huge history, dropping the oldest details with a note', () => {
    const bigQuery = `sum(rate(istio_requests_total{destination_workload="catalog-v2"}[1m])) ${'+ 0 '.repeat(100)}`;
    const evaluations = Array.from({ length: 300 }, (_, i) =>
      evaluation(`2026-01-01T10:${String(i % 60).padStart(2, '0')}:00Z`, [verdict('success-rate', 'pass', 99 + i / 1000, { queries: [{ role: 'value', promql: bigQuery, value: 1 }] })]),
    );
    const ids = ['00-dark-launch', '01-mirror', '02-weight-10', '03-weight-50', '04-weight-100'];
    const history = ids.map((id, i) => stageRecord(id, { canaryWeight: [0, 0, 10, 50, 100][i]!, evaluations }));
    const md = renderReport({ spec, state: rolloutState({ status: 'promoted', history }) });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - 1_024);
    expect(tableRows(md).map((r) => r[0]).slice(2)).toEqual(ids);
    expect(md).toMatch(/Details of \d+ older stages? omitted/);
    expect(md).toMatch(/\d+ older evaluations omitted/);
    expect(md).toContain('<summary>04-weight-100: 300 evaluations (passed)</summary>');
    expect(md).toContain('**Evaluation 300**');
    expect(md).not.toContain('<summary>00-dark-launch');
  });

  it('honours a smaller limit', () => {
    const md = renderReport({ spec, maxLength: 2_000, state: rolloutState({ status: 'promoted', history: passedHistory }) });
    expect(md.length).toBeLessThanOrEqual(2_000);
    expect(tableRows(md)).toHaveLength(2 + passedHistory.length);
  });
});
