// The plan as a markdown table for the job summary of `command: plan`.
import { isChange } from '../plan/operations.ts';
import type { Plan, PlannedStage } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { formatDuration } from './format.ts';
import { escapeInline } from './escape.ts';

export function planSummaryMarkdown(plan: Plan, spec: CanarySpec): string {
  const httpRoute = spec.routing === 'httpRoute';
  const routing = httpRoute ? `HTTPRoute ${spec.namespace}/${spec.httpRoute?.name ?? ''}` : `${spec.namespace}/${spec.virtualService}`;
  const title = `### Canary plan: ${escapeInline(spec.name)} (${escapeInline(routing)})`;
  const versions = httpRoute
    ? `Service ${escapeInline(spec.stable.service ?? '')} → Service ${escapeInline(spec.canary.service ?? '')}`
    : `${escapeInline(spec.stable.subset)} → ${escapeInline(spec.canary.subset)}, host ${escapeInline(spec.host)}`;
  const header = ['| Stage | Canary weight | Mirror | Header rule | Bake | Writes | What happens |', '|---|---:|---:|:---:|---:|---|---|'];
  const all = [...plan.stages, plan.promoted, plan.rollback];
  const rows = all.map((s) => row(s, plan));
  const caveats = [...(plan.notes ?? []).map((n) => `- **Caveat:** ${escapeInline(n)}.`), ...(plan.unchecked ?? []).map((n) => `- **Not checked:** ${escapeInline(n)}.`)];
  const cohort = all.flatMap((s) => (s.notes ?? []).map((n) => `- \`${s.id}\`: ${escapeInline(n)}.`));
  return [
    title,
    '',
    versions,
    '',
    ...(caveats.length ? [...caveats, ''] : []),
    ...header,
    ...rows,
    '',
    ...(cohort.length ? ['Who the cohort reaches, and why:', '', ...cohort, ''] : []),
  ].join('\n');
}

function row(s: PlannedStage, plan: Plan): string {
  const here = isDetected(s, plan) ? ' ← current' : '';
  const t = s.traffic;
  const bake = s.spec ? formatDuration(s.spec.bake) + (s.spec.pause ? ', then pause' : '') : '';
  const writes = s.operations.filter(isChange).map((op) => (op.action === 'delete' ? `delete ${op.ref.kind}` : op.ref.kind)).join(', ') || 'none';
  const cells = [`\`${s.id}\`${here}`, `${t.canaryWeight}%`, t.mirrorPercentage ? `${t.mirrorPercentage}%` : '', t.headerRule ? '✓' : '', bake, writes, escapeInline(s.summary)];
  return `| ${cells.join(' | ')} |`;
}

function isDetected(s: PlannedStage, plan: Plan): boolean {
  return plan.detected !== undefined && (plan.detected === s.index || plan.detected === s.id);
}
