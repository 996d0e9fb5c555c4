// Mermaid charts (xychart-beta, which GitHub renders) of the release over time: the canary's weight,
// and each check's value against its threshold (or against stable, for relative-only checks).
// xychart has no legend, so each chart's title names its lines and fixed colours tell them apart.
import { findCheckType } from '../analysis/checks/registry.ts';
import type { RolloutState } from '../core/state.ts';
import type { CanarySpec, CheckSpec } from '../spec/types.ts';
import { mermaidLabel } from './escape.ts';
import { boundOf, unitOf } from './evidence.ts';
import { formatValue } from '../analysis/format.ts';
import { elapsedMs, formatDuration } from './format.ts';

/** Newest points kept per chart: more do not fit the width GitHub gives a comment. */
export const MAX_POINTS = 24;

interface Point {
  at: string;
  weight: number;
  values: Map<string, { value?: number; stable?: number }>;
}

/** Stage starts and evaluations in time order, each with the canary weight then in force. */
function timeline(state: RolloutState): Point[] {
  const points: Point[] = [];
  for (const record of state.history) {
    points.push({ at: record.startedAt, weight: record.canaryWeight, values: new Map() });
    for (const evaluation of record.evaluations) {
      const values = new Map(evaluation.verdicts.map((v) => [v.check, { value: v.value, stable: v.stableValue }]));
      points.push({ at: evaluation.at, weight: record.canaryWeight, values });
    }
  }
  return points;
}

function label(point: Point, start: string | undefined, withWeight: boolean): string {
  const elapsed = elapsedMs(start, point.at);
  const time = elapsed === undefined ? mermaidLabel(point.at, 12) : `+${elapsed < 1000 ? '0s' : formatDuration(elapsed)}`;
  return withWeight ? `${time} @${point.weight}%` : time;
}

/** A number as Mermaid's parser reads it: finite, plain decimal notation. */
function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const text = Number(value.toPrecision(6)).toString();
  return text.includes('e') ? value.toFixed(6) : text;
}

function fence(lines: string[], palette: string, height: number): string {
  // The init directive is ours (fixed text); labels cannot contain `%%` (mermaidLabel), so no other
  // directive can appear. Short charts keep the table and the next step near the top.
  const init = `%%{init: {"xyChart": {"width": 720, "height": ${height}}, "themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`;
  return ['```mermaid', init, 'xychart-beta', ...lines.map((l) => `  ${l}`), '```'].join('\n');
}

function axisRange(values: number[], floor?: number, ceiling?: number): string {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const pad = hi === lo ? Math.max(1, Math.abs(hi) * 0.1) : (hi - lo) * 0.15;
  const from = floor !== undefined ? Math.max(floor, lo - pad) : lo - pad;
  const to = ceiling !== undefined ? Math.min(ceiling, hi + pad) : hi + pad;
  return `${num(from)} --> ${num(to === from ? from + 1 : to)}`;
}

/** One point per label: a stage that ends when the next begins shows the weight from then on. */
function distinctLabels(points: Point[], start: string | undefined): Array<{ label: string; weight: number }> {
  const byLabel = new Map<string, number>();
  for (const p of points) {
    const key = label(p, start, false);
    byLabel.delete(key); // re-inserted last: keeps time order with the latest weight
    byLabel.set(key, p.weight);
  }
  return Array.from(byLabel, ([l, weight]) => ({ label: l, weight }));
}

function weightChart(points: Point[], start: string | undefined): string {
  const shown = distinctLabels(points, start).slice(-MAX_POINTS);
  return fence(
    [
      'title "Canary weight (% of live traffic)"',
      `x-axis [${shown.map((p) => `"${p.label}"`).join(', ')}]`,
      'y-axis "%" 0 --> 100',
      `bar [${shown.map((p) => num(p.weight)).join(', ')}]`,
    ],
    '#8250df',
    200,
  );
}

function checkChart(check: CheckSpec, points: Point[], start: string | undefined): string | undefined {
  const measured = points.filter((p) => p.values.get(check.name)?.value !== undefined).slice(-MAX_POINTS);
  if (measured.length === 0) return undefined;
  const values = measured.map((p) => p.values.get(check.name)!.value!);
  const bound = boundOf(check);
  const stable = measured.map((p) => p.values.get(check.name)!.stable);
  const unit = unitOf(check).trim();
  const range = findCheckType(check.type)?.range;
  let reference: number[] | undefined;
  let referenceName = '';
  if (bound) {
    reference = measured.map(() => bound.limit);
    referenceName = `red: threshold ${bound.op} ${formatValue(bound.limit)}`;
  } else if (stable.every((s) => s !== undefined)) {
    reference = stable as number[];
    referenceName = 'red: stable';
  }
  const all = [...values, ...(reference ?? [])];
  const title = `${check.name}${unit ? ` (${unit})` : ''}: blue canary${referenceName ? `, ${referenceName}` : ''}`;
  return fence(
    [
      `title "${mermaidLabel(title, 90)}"`,
      `x-axis [${measured.map((p) => `"${label(p, start, true)}"`).join(', ')}]`,
      `y-axis "${mermaidLabel(unit || check.name, 30)}" ${axisRange(all, range?.min, range?.max)}`,
      `line [${values.map(num).join(', ')}]`,
      ...(reference ? [`line [${reference.map(num).join(', ')}]`] : []),
    ],
    '#0969da, #cf222e',
    240,
  );
}

/** The charts of a release, or an empty list when nothing happened yet. */
export function renderCharts(spec: CanarySpec, state: RolloutState): string[] {
  const points = timeline(state);
  if (points.length === 0) return [];
  const start = state.history[0]?.startedAt;
  const checks = spec.analysis?.checks ?? [];
  return [weightChart(points, start), ...checks.flatMap((c) => checkChart(c, points, start) ?? [])];
}
