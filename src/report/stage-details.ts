// The collapsible part of a report: every evaluation of a stage, every verdict with its value,
// threshold and reason, and the PromQL behind each value.
import type { CheckVerdict, QueryResult } from '../analysis/types.ts';
import type { Evaluation, StageRecord } from '../core/state.ts';
import { clip, codeBlock, escapeHtml, escapeInline } from './escape.ts';
import { verdictEvidence } from './evidence.ts';
import { formatValue } from '../analysis/format.ts';
import { VERDICT_ICON } from './stage-table.ts';

/** Longest query and reason shown; longer ones are cut with a note (the limit is per comment). */
const MAX_QUERY = 4_000;
const MAX_REASON = 1_000;

/** One stage's details: the summary line and one block per evaluation, oldest first. The caller
 * may keep only the newest blocks to fit a size budget. */
export interface StageDetails {
  summary: string;
  /** Shown unfolded: the stage that failed, or the one running now. */
  open: boolean;
  evaluations: string[];
}

export function stageDetails(record: StageRecord): StageDetails {
  const count = record.evaluations.length;
  const summary = `${escapeHtml(record.stage)}: ${count} evaluation${count === 1 ? '' : 's'} (${record.result})`;
  const open = record.result === 'failed' || record.result === 'in-progress';
  return { summary, open, evaluations: record.evaluations.map((e, i) => renderEvaluation(e, i + 1)) };
}

/** Assembles the `<details>` block; `omitted` older evaluations are mentioned, not shown. */
export function renderDetails(details: StageDetails, shown: readonly string[], omitted: number): string {
  const note = omitted > 0 ? [`_${omitted} older evaluation${omitted === 1 ? '' : 's'} omitted to fit GitHub's size limit._`] : [];
  // The blank line after <summary> makes GitHub parse the content as markdown.
  return [details.open ? '<details open>' : '<details>', `<summary>${details.summary}</summary>`, '', ...note, ...shown, '</details>'].join('\n');
}

function renderEvaluation(evaluation: Evaluation, ordinal: number): string {
  const heading = `**Evaluation ${ordinal}** at ${escapeInline(evaluation.at)}: decision **${escapeInline(evaluation.decision)}**`;
  return [heading, '', ...evaluation.verdicts.map(renderVerdict), ''].join('\n');
}

function renderVerdict(verdict: CheckVerdict): string {
  const facts = [
    `value ${escapeInline(formatValue(verdict.value))}`,
    `threshold ${escapeInline(verdict.threshold)}`,
    ...(verdict.stableValue !== undefined ? [`stable ${escapeInline(formatValue(verdict.stableValue))}`] : []),
    ...(verdict.requests !== undefined ? [`${escapeInline(String(verdict.requests))} requests`] : []),
  ];
  // Status and request count are escaped too: the state annotation they are read from is not checked that deep.
  const icon = VERDICT_ICON[verdict.status] ?? '';
  const line = `${icon} **${escapeInline(verdict.check)}** (${escapeInline(String(verdict.status))}): ${facts.join(', ')}. ${escapeInline(clip(verdictEvidence(verdict), MAX_REASON))}`;
  return [line, '', ...verdict.queries.map(renderQuery)].join('\n');
}

function renderQuery(query: QueryResult): string {
  return [`Query _${escapeInline(query.role)}_ = ${escapeInline(formatValue(query.value))}`, '', codeBlock(clip(query.promql, MAX_QUERY), 'promql'), ''].join('\n');
}
