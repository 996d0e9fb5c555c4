// The compact overview table: one row per stage with its traffic, result, duration and each check's
// latest value against its threshold.
import type { CheckVerdict, VerdictStatus } from '../analysis/types.ts';
import type { StageRecord } from '../core/state.ts';
import type { PlannedStage } from '../plan/types.ts';
import type { CheckSpec } from '../spec/types.ts';
import { clip, escapeInline } from './escape.ts';
import { comparisonText } from './evidence.ts';
import { elapsedMs, formatDuration } from './format.ts';

export const VERDICT_ICON: Record<VerdictStatus, string> = { pass: '✅', fail: '❌', 'no-data': '⏳', unproven: '⏳' };

const RESULT_TEXT: Record<StageRecord['result'], string> = {
  'in-progress': '🔄 baking',
  passed: '✅ passed',
  failed: '❌ failed',
  paused: '⏸️ paused',
  promoted: '✅ promoted',
  'rolled-back': '↩️ rolled back',
};

/** A stage row: either what happened (a history record) or what is still to come (a planned stage). */
export type StageRow = { kind: 'record'; record: StageRecord } | { kind: 'pending'; stage: PlannedStage };

/** A column per check, in a stable order: the spec's first, then any others the history mentions. */
export interface CheckColumn {
  name: string;
  spec?: CheckSpec;
}

export function checkColumns(specChecks: readonly CheckSpec[], records: readonly StageRecord[]): CheckColumn[] {
  const columns = new Map<string, CheckColumn>(specChecks.map((c) => [c.name, { name: c.name, spec: c }]));
  for (const record of records) {
    for (const evaluation of record.evaluations) for (const v of evaluation.verdicts) if (!columns.has(v.check)) columns.set(v.check, { name: v.check });
  }
  return [...columns.values()];
}

export function renderTableHeader(checks: readonly CheckColumn[]): string {
  const titles = ['Stage', 'Traffic to canary', 'Result', 'Time', ...checks.map((c) => escapeInline(c.name))];
  return [`| ${titles.join(' | ')} |`, `|${titles.map(() => ' --- |').join('')}`].join('\n');
}

export function renderTableRow(row: StageRow, checks: readonly CheckColumn[], now: string | undefined): string {
  const cells = row.kind === 'record' ? recordCells(row.record, checks, now) : pendingCells(row.stage, checks);
  return `| ${cells.join(' | ')} |`;
}

/** `10 %`, `mirror 100 %`, `header rule`, or several of them. */
function trafficCell(t: { canaryWeight: number; mirrorPercentage: number; headerRule: boolean }): string {
  const parts = [
    ...(t.canaryWeight > 0 ? [`${t.canaryWeight} %`] : []),
    ...(t.mirrorPercentage > 0 ? [`mirror ${t.mirrorPercentage} %`] : []),
    ...(t.headerRule && t.canaryWeight < 100 ? ['header rule'] : []),
  ];
  return parts.join(' + ') || '0 %';
}

function recordCells(record: StageRecord, checks: readonly CheckColumn[], now: string | undefined): string[] {
  const end = record.endedAt ?? (record.result === 'in-progress' ? now : undefined);
  const duration = elapsedMs(record.startedAt, end);
  const latest = record.evaluations.at(-1);
  return [
    escapeInline(record.stage),
    trafficCell(record),
    RESULT_TEXT[record.result] ?? escapeInline(String(record.result)),
    duration === undefined ? '—' : formatDuration(duration) + (record.endedAt ? '' : ' so far'),
    ...checks.map((c) => verdictCell(latest?.verdicts.find((v) => v.check === c.name), c.spec)),
  ];
}

function pendingCells(stage: PlannedStage, checks: readonly CheckColumn[]): string[] {
  return [escapeInline(stage.id), trafficCell(stage.traffic), '· to come', '—', ...checks.map(() => '—')];
}

/** `✅ 99.7 % vs ≥ 99 %`; `—` when the check was not evaluated in this stage. */
export function verdictCell(verdict: CheckVerdict | undefined, check: CheckSpec | undefined): string {
  if (!verdict) return '—';
  // Status comes from the state annotation, which anyone who can edit the VirtualService can write.
  const icon = VERDICT_ICON[verdict.status] ?? escapeInline(String(verdict.status));
  return `${icon} ${escapeInline(clip(comparisonText(verdict, check), 120))}`;
}
