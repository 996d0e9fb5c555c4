// What a verdict says in words and numbers, for the headline, the table and the chart. One place
// reads a verdict: the analysis layer's evidence (counts, p-value, power) when the check has it.
import { findCheckType } from '../analysis/checks/registry.ts';
import type { CheckVerdict } from '../analysis/types.ts';
import type { CheckSpec } from '../spec/types.ts';
import { formatValue } from '../analysis/format.ts';

/** The sentence that explains a verdict with the numbers behind it (counts, rates, p-value). */
export function verdictEvidence(verdict: CheckVerdict): string {
  return verdict.evidence?.summary ?? verdict.reason;
}

/** The unit a check's value is measured in, as written after a number. */
export function unitOf(check: CheckSpec | undefined): string {
  return check ? (findCheckType(check.type)?.unit ?? '') : '';
}

/** The check's absolute bound as a number with its direction, when it has one. */
export interface Bound {
  op: '≥' | '≤';
  limit: number;
}

export function boundOf(check: CheckSpec | undefined): Bound | undefined {
  if (check?.min !== undefined) return { op: '≥', limit: check.min };
  if (check?.max !== undefined) return { op: '≤', limit: check.max };
  return undefined;
}

/** `99.9 %`, `120 ms`, `no data`. */
export function valueText(value: number | undefined, check: CheckSpec | undefined): string {
  return value === undefined ? 'no data' : `${formatValue(value)}${unitOf(check)}`;
}

/** `99.9 % vs ≥ 99 %`, `99.9 % vs stable 100 %`, or the value alone when there is nothing to compare. */
export function comparisonText(verdict: CheckVerdict, check: CheckSpec | undefined): string {
  const bound = boundOf(check);
  const value = valueText(verdict.value, check);
  if (bound) return `${value} vs ${bound.op} ${formatValue(bound.limit)}${unitOf(check)}`;
  if (verdict.stableValue !== undefined) return `${value} vs stable ${valueText(verdict.stableValue, check)}`;
  return value;
}
