// The report as GitHub shows it: rendered with a GFM renderer, its Mermaid blocks parsed by
// Mermaid's own parser, its untrusted text checked to come out as text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PlannedStage } from '../../../src/plan/types.ts';
import { GITHUB_COMMENT_LIMIT, renderReport } from '../../../src/report/markdown.ts';
import { mermaidBlocks, renderGfmDocument, type RenderedDocument } from '../../support/gfm.ts';
import { parseMermaid } from '../../support/mermaid.ts';
import { canarySpec, checkSpec, evaluation, rolloutState, stageRecord, verdict } from '../../support/rollout-fixtures.ts';
import { SAMPLE_LINKS, rolledBackState, sampleReport, sampleSpec } from '../../support/sample-report.ts';

/** Elements a report may produce; anything else means untrusted text became markup. */
const ALLOWED = new Set(['H3', 'H4', 'P', 'STRONG', 'EM', 'CODE', 'PRE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'DETAILS', 'SUMMARY', 'A', 'UL', 'LI']);

type El = { tagName: string; textContent: string | null; getAttribute(name: string): string | null; querySelectorAll(s: string): Iterable<El> };

function elements(doc: RenderedDocument, selector = 'body *'): El[] {
  return Array.from(doc.querySelectorAll(selector) as Iterable<El>);
}

function unexpectedElements(doc: RenderedDocument): string[] {
  return elements(doc).map((e) => e.tagName).filter((t) => !ALLOWED.has(t));
}

function tableRows(doc: RenderedDocument): string[][] {
  return elements(doc, 'table tr').map((tr) => Array.from(tr.querySelectorAll('th, td'), (c) => (c.textContent ?? '').trim()));
}

const weight = (i: number, id: string, w: number): PlannedStage => ({
  index: i,
  id,
  kind: 'weight',
  summary: `${w}% to canary`,
  traffic: { canaryWeight: w, mirrorPercentage: 0, headerRule: true },
  operations: [],
});

describe('the report rendered as GitHub renders it', () => {
  it('opens with the verdict and its deciding number, then charts, the stage table, collapsed evaluations and the next step', async () => {
    const doc = renderGfmDocument(sampleReport());
    const top = elements(doc, 'body > *');
    expect(top[0]!.tagName).toBe('H3');
    expect(top[0]!.textContent).toBe('↩️ Rolled back at 50 %: errors 61.6 % vs ≥ 99 %');
    expect(top[1]!.textContent).toContain('28/73 errors vs stable 0/84, p=5e-10');
    const charts = mermaidBlocks(doc);
    expect(charts).toHaveLength(3);
    for (const chart of charts) expect(await parseMermaid(chart)).toBe('xychart');
    // The threshold is a line of its own in each check's chart.
    expect(charts[1]).toContain('line [99, 99, 99, 99, 99, 99, 99]');
    expect(charts[2]).toContain('line [500, 500, 500, 500, 500, 500, 500]');
    expect(tableRows(doc)).toEqual([
      ['Stage', 'Traffic to canary', 'Result', 'Time', 'errors', 'latency'],
      ['00-dark-launch', 'header rule', '✅ passed', '2m', '✅ 100 % vs ≥ 99 %', '✅ 118 ms vs ≤ 500 ms'],
      ['01-mirror', 'mirror 100 % + header rule', '✅ passed', '2m', '✅ 99.9 % vs ≥ 99 %', '✅ 127 ms vs ≤ 500 ms'],
      ['02-weight-10', '10 % + header rule', '✅ passed', '2m', '✅ 99.6 % vs ≥ 99 %', '✅ 151 ms vs ≤ 500 ms'],
      ['03-weight-50', '50 % + header rule', '❌ failed', '1m 10s', '❌ 61.6 % vs ≥ 99 %', '✅ 188 ms vs ≤ 500 ms'],
      ['rollback', '0 %', '↩️ rolled back', '1s', '—', '—'],
    ]);
    const outer = elements(doc, 'body > details');
    expect(outer).toHaveLength(1);
    expect(outer[0]!.getAttribute('open')).toBeNull();
    expect(elements(doc, 'body > details > summary')[0]!.textContent).toBe('Evaluations and PromQL (7 evaluations in 4 stages)');
    expect(elements(doc, 'body > details pre > code.language-promql').map((c) => c.textContent)).toContain(
      'sum(increase(istio_requests_total{reporter="destination",destination_workload="catalog-v2",destination_workload_namespace="istioinaction",response_code=~"5.."}[1m]))\n',
    );
    expect(top.at(-1)!.textContent).toBe('Driving run: run 42');
    expect(unexpectedElements(doc)).toEqual([]);
  });

  it('ends a running release with the dispatch form and the inputs for advance, promote and abort', () => {
    const stages = [weight(0, '00-weight-10', 10), weight(1, '01-weight-50', 50)];
    const plan = { stages, promoted: stages[1]!, rollback: stages[0]!, baseline: [], stateObject: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', namespace: 'istioinaction', name: 'catalog' } };
    const state = rolloutState({
      stageIndex: 0,
      runUrl: 'https://github.com/acme/shop/actions/runs/777',
      history: [stageRecord('00-weight-10', { canaryWeight: 10, result: 'in-progress', endedAt: undefined, evaluations: [evaluation('2026-01-01T10:01:00Z', [verdict('errors', 'pass', 99.9)])] })],
    });
    const doc = renderGfmDocument(renderReport({ spec: sampleSpec, state, plan, links: SAMPLE_LINKS, now: '2026-01-01T10:01:30Z' }));
    expect(elements(doc, 'h3')[0]!.textContent).toBe('🔄 Releasing version-v2: 10 % (stage 00-weight-10); errors 99.9 % vs ≥ 99 %');
    const items = elements(doc, 'ul > li');
    expect(items.map((li) => li.textContent?.split(' — ')[0])).toEqual(['advance', 'promote', 'abort']);
    for (const [i, command] of ['advance', 'promote', 'abort'].entries()) {
      const link = Array.from(items[i]!.querySelectorAll('a'))[0]!;
      expect(link.getAttribute('href')).toBe('https://github.com/acme/shop/actions/workflows/canary-dispatch.yml');
      expect(Array.from(items[i]!.querySelectorAll('code'), (c) => c.textContent)).toEqual([`command: ${command}`, 'canary: catalog']);
    }
    expect(items[0]!.textContent).toContain('on to 50 % (stage 01-weight-50)');
    // The run that last moved it is the one driving it.
    const run = elements(doc, 'a').find((a) => a.textContent === 'run 777');
    expect(run?.getAttribute('href')).toBe('https://github.com/acme/shop/actions/runs/777');
    expect(tableRows(doc).at(-1)).toEqual(['01-weight-50', '50 % + header rule', '· to come', '—', '✅ 99.9 % vs ≥ 99 %'.replace(/.*/, '—'), '—']);
  });

  it('while a run drives the release, offers only abort and links that run', () => {
    const state = rolloutState({
      stageIndex: 0,
      runUrl: 'https://github.com/acme/shop/actions/runs/1',
      holder: { id: 'r2', runUrl: 'https://github.com/acme/shop/actions/runs/2', renewedAt: '2026-01-01T10:01:00Z' },
      history: [stageRecord('00-weight-10', { canaryWeight: 10, result: 'in-progress', endedAt: undefined })],
    });
    const doc = renderGfmDocument(renderReport({ spec: sampleSpec, state, links: SAMPLE_LINKS }));
    expect(elements(doc, 'ul > li').map((li) => li.textContent?.split(' — ')[0])).toEqual(['abort']);
    expect(elements(doc, 'a').find((a) => a.textContent === 'run 2')?.getAttribute('href')).toBe('https://github.com/acme/shop/actions/runs/2');
  });

  it('without a dispatch form (the CLI), names the command to run instead', () => {
    const state = rolloutState({ status: 'paused', history: [stageRecord('00-weight-10', { canaryWeight: 10, result: 'paused' })] });
    const doc = renderGfmDocument(renderReport({ spec: canarySpec(), state }));
    const codes = elements(doc, 'ul > li code').map((c) => c.textContent);
    expect(codes).toEqual(['istio-canary advance --spec canary.yaml --canary catalog', 'istio-canary promote --spec canary.yaml --canary catalog', 'istio-canary abort --spec canary.yaml --canary catalog']);
  });

  it('status with nothing recorded says there is no release, not that one was rolled back', () => {
    const state = rolloutState({ status: 'rolled-back', stageIndex: -1, reason: 'no rollout of catalog is recorded on istioinaction/catalog', history: [] });
    const doc = renderGfmDocument(renderReport({ spec: canarySpec(), state }));
    expect(elements(doc, 'h3')[0]!.textContent).toBe('No release of version-v2 under way: all traffic on version-v1');
    expect(mermaidBlocks(doc)).toEqual([]);
    expect(elements(doc, 'ul > li')).toEqual([]);
  });

  const hostile = 'x" ]\n%%{init: {}}%% <img src=x onerror=alert(1)> `a|b` --> </details> @octocat [l](javascript:alert(1)) www.evil.example https://evil.example ```';

  it('renders hostile names, reasons and queries as text: no markup, no mention, and the charts still parse', async () => {
    const check = { ...checkSpec(hostile), min: 99 };
    const spec = canarySpec({ name: hostile, analysis: { interval: 60_000, prometheus: { headers: {} }, checks: [check], failureLimit: 1, alpha: 0.05 } });
    const bad = verdict(hostile, 'fail', 50, { reason: hostile, threshold: hostile, queries: [{ role: hostile, promql: hostile, value: 1 }] });
    const history = [stageRecord(hostile, { canaryWeight: 10, result: 'failed', evaluations: [evaluation('2026-01-01T10:01:00Z', [bad], 'fail')] })];
    const state = rolloutState({ status: 'rolled-back', reason: hostile, runUrl: 'javascript:alert(1)', history });
    const links = { dispatch: { owner: 'acme', repo: 'shop', workflowFile: 'x"><img src=x>.yml' } };
    const doc = renderGfmDocument(renderReport({ spec, state, links }));
    expect(unexpectedElements(doc)).toEqual([]);
    for (const a of elements(doc, 'a')) expect(a.getAttribute('href')).toMatch(/^https:\/\/github\.com\//);
    for (const chart of mermaidBlocks(doc)) expect(await parseMermaid(chart)).toBe('xychart');
    expect(elements(doc, 'details')).toHaveLength(2);
    // The text as written, except a zero-width space that keeps `@octocat` from being a mention.
    expect(elements(doc, 'h3')[0]!.textContent).toContain('x" ] %%{init: {}}%% <img src=x onerror=alert(1)> `a|b` --> </details> @\u200boctocat [l](javascript:alert(1)) www.evil.example https://evil.example');
    expect(tableRows(doc).every((row) => row.length === 5)).toBe(true);
  });

  it('keeps arbitrary text as text and every chart parseable (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), fc.string(), fc.string({ unit: 'grapheme' }), async (name, reason, stage) => {
        const spec = canarySpec({ analysis: { interval: 60_000, prometheus: { headers: {} }, checks: [{ ...checkSpec(name || 'c'), min: 99 }], failureLimit: 1, alpha: 0.05 } });
        const history = [stageRecord(stage, { canaryWeight: 50, evaluations: [evaluation('2026-01-01T10:01:00Z', [verdict(name || 'c', 'pass', 99.5, { reason })])] })];
        const doc = renderGfmDocument(renderReport({ spec, state: rolloutState({ status: 'rolled-back', reason, history }) }));
        expect(unexpectedElements(doc)).toEqual([]);
        for (const chart of mermaidBlocks(doc)) expect(await parseMermaid(chart)).toBe('xychart');
        expect(tableRows(doc).every((row) => row.length === 5)).toBe(true);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('stays under GitHub\'s limit with a huge history and still renders every part', async () => {
    const many = Array.from({ length: 400 }, (_, i) => evaluation(new Date(Date.parse('2026-01-01T10:00:00Z') + i * 60_000).toISOString(), [verdict('errors', 'pass', 99 + (i % 10) / 10, { reason: 'r'.repeat(400) })]));
    const history = ['00-a', '01-b', '02-c'].map((id, i) => stageRecord(id, { canaryWeight: [10, 50, 100][i]!, evaluations: many }));
    const markdown = renderReport({ spec: sampleSpec, state: { ...rolledBackState, history }, links: SAMPLE_LINKS });
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT - 1_024);
    const doc = renderGfmDocument(markdown);
    for (const chart of mermaidBlocks(doc)) expect(await parseMermaid(chart)).toBe('xychart');
    expect(tableRows(doc).map((r) => r[0])).toEqual(['Stage', '00-a', '01-b', '02-c']);
    expect(elements(doc, 'body > details summary')[0]!.textContent).toContain('1200 evaluations');
    expect(markdown).toMatch(/Details of 2 older stages omitted/);
    expect(elements(doc, 'h4')[0]!.textContent).toBe('Next step');
  });
});
