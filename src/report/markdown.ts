// The report people read in the PR comment, the job summary and the report file: a pure function
// of the spec, the rollout state and (optionally) the plan, so it can be tested without GitHub.
import type { RolloutState } from '../engine/state.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { clip, escapeInline } from './escape.ts';
import { renderDetails, stageDetails } from './stage-details.ts';
import { checkColumns, renderTableHeader, renderTableRow, type StageRow } from './stage-table.ts';

/** GitHub rejects issue comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Default size of a report: the comment limit minus room for the hidden marker the PR adapter adds. */
export const DEFAULT_REPORT_LIMIT = GITHUB_COMMENT_LIMIT - 1_024;

export interface ReportInput {
  spec: CanarySpec;
  state: RolloutState;
  plan?: Plan;
  /** ISO time used for the running stage's duration; without it that duration is not shown. */
  now?: string;
  /** Maximum length in UTF-16 code units (never less than what GitHub counts). */
  maxLength?: number;
}

const MAX_REASON = 1_000;

export function renderReport(input: ReportInput): string {
  const maxLength = input.maxLength ?? DEFAULT_REPORT_LIMIT;
  const head = renderHeader(input);
  const footer = renderFooter(input.state);
  const table = fitTable(input, maxLength - head.length - footer.length);
  const detailsBudget = maxLength - head.length - table.length - footer.length;
  const details = fitDetails(input.state, detailsBudget);
  return `${[head, table, ...(details ? [details] : []), footer].join('\n\n')}\n`;
}

function renderHeader({ spec, state, plan }: ReportInput): string {
  const title = `### istio-canary: ${escapeInline(spec.name)}`;
  const target = [
    `VirtualService **${escapeInline(`${spec.namespace}/${spec.virtualService}`)}**`,
    `canary subset **${escapeInline(spec.canary.subset)}**`,
    `stable subset **${escapeInline(spec.stable.subset)}**`,
  ].join(' · ');
  return [title, '', target, '', `**Status:** ${renderStatus(state, plan)}`].join('\n');
}

function renderStatus(state: RolloutState, plan: Plan | undefined): string {
  const reason = state.reason ? `: ${escapeInline(clip(state.reason, MAX_REASON))}` : '';
  switch (state.status) {
    case 'promoted':
      return '✅ promoted — all traffic on the canary';
    case 'rolled-back':
      return `↩️ rolled back — all traffic on stable${reason}`;
    case 'paused':
      return `⏸️ paused after ${currentStage(state, plan)}${reason}`;
    case 'in-progress':
      return `🔄 in progress — ${currentStage(state, plan)}`;
  }
}

function currentStage(state: RolloutState, plan: Plan | undefined): string {
  const planned = plan?.stages[state.stageIndex];
  const recorded = state.history.at(-1);
  const id = planned?.id ?? recorded?.stage;
  const summary = planned?.summary ?? recorded?.summary;
  if (id === undefined) return 'not started';
  return `stage ${escapeInline(id)}${summary ? ` (${escapeInline(clip(summary, 300))})` : ''}`;
}

/** The table of all stages: what happened, then what the plan has still to come. Oldest rows are
 * dropped, with a note, only if the table alone would not fit. */
function fitTable(input: ReportInput, budget: number): string {
  const { spec, state, plan } = input;
  const checks = checkColumns(spec.analysis?.checks.map((c) => c.name) ?? [], state.history);
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

/** Details of the newest stages that fit, newest evaluations first; older ones replaced by a note. */
function fitDetails(state: RolloutState, budget: number): string {
  const blocks: string[] = [];
  let remaining = budget - 200; // room for the note about what was left out
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
  const omitted = index + 1;
  if (omitted > 0) blocks.unshift(`_Details of ${omitted} older stage${omitted === 1 ? '' : 's'} omitted to fit GitHub's size limit._`);
  return blocks.join('\n\n');
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

function renderFooter(state: RolloutState): string {
  const url = safeUrl(state.runUrl ?? state.holder?.runUrl);
  return url ? `[Workflow run](${url})` : '_Run URL not recorded._';
}

/** Only http(s) URLs, normalised, with parentheses encoded so they cannot end the link. */
function safeUrl(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    url.username = '';
    url.password = '';
    return url.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
  } catch {
    return undefined;
  }
}
