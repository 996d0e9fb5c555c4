// The report people read in the PR comment, the job summary and the report file: a pure function
// of the spec, the rollout state and (optionally) the plan, so it can be tested without GitHub.
// Top to bottom: the verdict with its deciding number, charts over time, the stage table, the
// evaluations and their PromQL (collapsed), and the next step. When it must shrink to fit, the
// oldest detail goes first: evaluations, then stage rows, then chart points.
import type { RolloutState } from '../core/state.ts';
import type { Plan } from '../plan/types.ts';
import { describeReporter } from '../analysis/reporter.ts';
import type { CanarySpec } from '../spec/types.ts';
import { renderCharts } from './chart.ts';
import { clip, escapeInline } from './escape.ts';
import { headline } from './headline.ts';
import { renderNextStep, type ReportLinks } from './next-step.ts';
import { outboundReportOf, renderOutbound, type OutboundMode } from './outbound.ts';
import { renderDetails, stageDetails } from './stage-details.ts';
import { checkColumns, renderTableHeader, renderTableRow, type StageRow } from './stage-table.ts';

export type { ReportLinks } from './next-step.ts';

/** GitHub rejects issue comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Default size of a report: the comment limit minus room for the hidden marker the PR adapter adds. */
export const DEFAULT_REPORT_LIMIT = GITHUB_COMMENT_LIMIT - 1_024;
/** Longest explanation of a rollback not in effect (Istio's message) shown. */
const MAX_NOT_IN_EFFECT = 600;

export interface ReportInput {
  spec: CanarySpec;
  state: RolloutState;
  plan?: Plan;
  /** ISO time used for the running stage's duration; without it that duration is not shown. */
  now?: string;
  /** Maximum length in UTF-16 code units (never less than what GitHub counts). */
  maxLength?: number;
  /** The dispatch form and the run, for the next step. */
  links?: ReportLinks;
  /** The canary's outbound mode as this run read it (specs with `egress`). */
  outbound?: OutboundMode;
  /** The state's rollback is written but the mesh has not put it into effect: why. */
  notInEffect?: string;
}

export function renderReport(input: ReportInput): string {
  const maxLength = input.maxLength ?? DEFAULT_REPORT_LIMIT;
  const head = renderHeader(input);
  const footer = renderNextStep(input.spec, input.state, input.plan, input.links, input.notInEffect !== undefined);
  let charts = renderCharts(input.spec, input.state).join('\n\n');
  // Charts are bounded in points; with very many checks they give way to the table first.
  if (charts.length > (maxLength - head.length - footer.length) / 3) charts = '';
  const fixed = head.length + footer.length + charts.length + 8;
  const table = fitTable(input, maxLength - fixed);
  const details = fitDetails(input.state, maxLength - fixed - table.length);
  return `${[head, ...(charts ? [charts] : []), table, ...(details ? [details] : []), footer].join('\n\n')}\n`;
}

function renderHeader({ spec, state, plan, outbound, notInEffect }: ReportInput): string {
  const { title, evidence } = headline(spec, state, plan);
  const target = [
    `istio-canary **${escapeInline(spec.name)}**`,
    spec.httpRoute ? `HTTPRoute ${escapeInline(`${spec.namespace}/${spec.httpRoute.name}`)}` : `VirtualService ${escapeInline(`${spec.namespace}/${spec.virtualService}`)}`,
    `${escapeInline(spec.stable.subset)} → ${escapeInline(spec.canary.subset)}`,
    ...(spec.analysis ? [describeReporter(spec.dataPlane)] : []),
  ].join(' · ');
  const egress = spec.egress ? ['', renderOutbound(outboundReportOf(spec, plan, state, outbound))] : [];
  const warning = notInEffect !== undefined ? ['', `⚠️ **The rollback is written but not in effect**: ${escapeInline(clip(notInEffect, MAX_NOT_IN_EFFECT))}`] : [];
  // Who the release cannot reach, and what it could not check (an HTTPRoute's consumer routes, a list it may not make).
  const caveats = [...(plan?.notes ?? []).map((n) => `> ⚠️ Caveat: ${escapeInline(n)}.`), ...(plan?.unchecked ?? []).map((n) => `> ⚠️ Not checked: ${escapeInline(n)}.`)];
  return [`### ${title}`, ...warning, ...(evidence ? ['', evidence] : []), '', target, ...egress, ...(caveats.length ? ['', ...caveats] : [])].join('\n');
}

/** The table of all stages: what happened, then what the plan has still to come. Oldest rows are
 * dropped, with a note, only if the table alone would not fit. */
function fitTable(input: ReportInput, budget: number): string {
  const { spec, state, plan } = input;
  const checks = checkColumns(spec.analysis?.checks ?? [], state.history);
  const reached = new Set(state.history.map((r) => r.stage));
  const pending = state.status === 'in-progress' || state.status === 'paused' ? (plan?.stages ?? []).filter((s) => !reached.has(s.id)) : [];
  const rows: StageRow[] = [
    ...state.history.map((record): StageRow => ({ kind: 'record', record })),
    ...pending.map((stage): StageRow => ({ kind: 'pending', stage })),
  ];
  const lines = rows.map((row) => renderTableRow(row, checks, input.now));
  const header = renderTableHeader(checks);
  const kept = keepNewest(lines, budget - header.length - 200);
  const note = kept.length < lines.length ? `\n\n_${lines.length - kept.length} older stages omitted to fit GitHub's size limit._` : '';
  return [header, ...kept].join('\n') + note;
}

/** Every stage's evaluations in one collapsed block, newest stages kept when they do not all fit. */
function fitDetails(state: RolloutState, budget: number): string {
  const blocks: string[] = [];
  let remaining = budget - 400; // room for the outer block and the note about what was left out
  const stages = state.history.filter((r) => r.evaluations.length > 0);
  let index = stages.length - 1;
  for (; index >= 0 && remaining > 0; index--) {
    const details = stageDetails(stages[index]!);
    const shown = keepNewest(details.evaluations, remaining - details.summary.length - 200);
    if (shown.length === 0) break;
    const block = renderDetails(details, shown, details.evaluations.length - shown.length);
    blocks.unshift(block);
    remaining -= block.length + 2;
    if (shown.length < details.evaluations.length) {
      index--;
      break;
    }
  }
  if (blocks.length === 0) return '';
  const omitted = index + 1;
  if (omitted > 0) blocks.unshift(`_Details of ${omitted} older stage${omitted === 1 ? '' : 's'} omitted to fit GitHub's size limit._`);
  const count = stages.reduce((sum, r) => sum + r.evaluations.length, 0);
  return ['<details>', `<summary>Evaluations and PromQL (${count} evaluation${count === 1 ? '' : 's'} in ${stages.length} stage${stages.length === 1 ? '' : 's'})</summary>`, '', ...blocks, '', '</details>'].join('\n');
}

/** The longest suffix of `items` whose joined length (one separator each) stays within `budget`. */
function keepNewest(items: readonly string[], budget: number): string[] {
  let used = 0;
  let start = items.length;
  while (start > 0 && used + items[start - 1]!.length + 1 <= budget) {
    start--;
    used += items[start]!.length + 1;
  }
  return items.slice(start);
}
