// The overview table: one row per stage, with traffic, result, duration and each check's latest
// value against its threshold.
import type { CheckVerdict, VerdictStatus } from '../analysis/types.ts';
import type { StageRecord } from '../engine/state.ts';
import type { PlannedStage } from '../plan/types.ts';
import { clip, escapeInline } from './escape.ts';
import { elapsedMs, formatDuration, formatValue } from './format.ts';

export const VERDICT_ICON: Record<VerdictStatus, string> = { pass: '✅', fail: '❌', 'no-data': '⏳', unproven: '⏳' };

const RESULT_TEXT: Record<StageRecord['result'], string> = {
  'in-progress': '🔄 in progress',
  passed: '✅ passed',
  failed: '❌ failed',
  paused: '⏸️ paused',
  promoted: '✅ promoted',
  'rolled-back': '↩️ rolled back',
};

/** A stage row: either what happened (a history record) or what is still to come (a planned stage). */
export type StageRow = { kind: 'record'; record: StageRecord } | { kind: 'pending'; stage: PlannedStage };

/** Check names in a stable order: the spec's first, then any others the history mentions. */
export function checkColumns(specChecks: readonly string[], records: readonly StageRecord[]): string[] {
  const names = new Set(specChecks);
  for (const record of records) {
    for (const evaluation of record.evaluations) for (const v of evaluation.verdicts) names.add(v.check);
  }
  return [...names];
}

export function renderTableHeader(checks: readonly string[]): string {
  const titles = ['Stage', 'Canary weight', 'Mirror', 'Header rule', 'Result', 'Duration', ...checks.map(escapeInline)];
  return [`| ${titles.join(' | ')} |`, `|${titles.map(() => ' --- |').join('')}`].join('\n');
}

export function renderTableRow(row: StageRow, checks: readonly string[], now: string | undefined): string {
  const cells = row.kind === 'record' ? recordCells(row.record, checks, now) : pendingCells(row.stage, checks);
  return `| ${cells.join(' | ')} |`;
}

function recordCells(record: StageRecord, checks: readonly string[], now: string | undefined): string[] {
  const end = record.endedAt ?? (record.result === 'in-progress' ? now : undefined);
  const duration = elapsedMs(record.startedAt, end);
  const latest = record.evaluations.at(-1);
  return [
    escapeInline(record.stage),
    `${record.canaryWeight}%`,
    `${record.mirrorPercentage}%`,
    record.headerRule ? 'yes' : 'no',
    RESULT_TEXT[record.result],
    duration === undefined ? '—' : formatDuration(duration) + (record.endedAt ? '' : ' so far'),
    ...checks.map((name) => verdictCell(latest?.verdicts.find((v) => v.check === name))),
  ];
}

function pendingCells(stage: PlannedStage, checks: readonly string[]): string[] {
  const { canaryWeight, mirrorPercentage, headerRule } = stage.traffic;
  return [
    escapeInline(stage.id),
    `${canaryWeight}%`,
    `${mirrorPercentage}%`,
    headerRule ? 'yes' : 'no',
    '· pending',
    '—',
    ...checks.map(() => '—'),
  ];
}

/** `✅ 99.7 (>= 99%)`; `—` when the check was not evaluated in this stage. */
export function verdictCell(verdict: CheckVerdict | undefined): string {
  if (!verdict) return '—';
  return `${VERDICT_ICON[verdict.status]} ${escapeInline(formatValue(verdict.value))} (${escapeInline(clip(verdict.threshold, 120))})`;
}
