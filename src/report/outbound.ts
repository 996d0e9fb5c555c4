// The report's outbound section: the mode the canary's sidecars run with and where it came from,
// the ServiceEntries the release made or reused, what could not be read, and the egress gate's
// warnings (policy warn). Every name and host is escaped: hosts from telemetry are the canary's
// own requests.
import type { RolloutState } from '../core/state.ts';
import { hostPatternMatches } from '../istio/hosts.ts';
import { CANARY_LABEL, describeRef, refOf } from '../plan/objects.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { escapeInline } from './escape.ts';

/** The detected mode as the engine got it (src/istio/outbound-mode.ts ModeDecision). */
export interface OutboundMode {
  mode: OutboundReport['mode'];
  source: string;
  warnings: string[];
}

/** The name of the egress gate's check (src/analysis/checks/egress.ts EGRESS_CHECK). */
const EGRESS_CHECK = 'egress';
const WARNING = 'warning: ';
/** The gate's distinct warnings shown, newest kept. */
const MAX_GATE_WARNINGS = 5;

export interface OutboundReport {
  mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' | 'unknown';
  source: string;
  /** Detection gaps (unreadable mesh config, Sidecars). */
  warnings: string[];
  /** What the release did per declared host. */
  entries: Array<{ host: string; kind: 'create' | 'share' | 'reuse'; entry: string }>;
  /** Egress gate findings that policy `warn` let pass, newest last. */
  gateWarnings: string[];
}

const VERB = { create: 'created', share: 'shared (ours, another release made it)', reuse: 'reused' } as const;

export function renderOutbound(report: OutboundReport): string {
  const lines = [`**Outbound traffic:** ${escapeInline(report.mode)} — ${escapeInline(report.source)}`];
  if (report.entries.length > 0) {
    lines.push('', ...report.entries.map((e) => `- ${escapeInline(e.host)}: ServiceEntry ${escapeInline(e.entry)} ${VERB[e.kind]}`));
  }
  const warnings = [...report.warnings, ...report.gateWarnings.map((w) => `egress gate (policy warn): ${w}`)];
  if (warnings.length > 0) lines.push('', ...warnings.map((w) => `> ⚠️ ${escapeInline(w)}`));
  return lines.join('\n');
}

/** The outbound section's data from the spec, the plan (its first stage's entries) and the state's egress verdicts. */
export function outboundReportOf(spec: CanarySpec, plan: Plan | undefined, state: RolloutState, mode: OutboundMode | undefined): OutboundReport {
  const first = plan?.stages[0]?.operations ?? [];
  const entries = (spec.egress?.hosts ?? []).map((h) => {
    const op = first.find((o) => o.action === 'apply' && o.ref.kind === 'ServiceEntry' && ((o.object.spec as { hosts?: string[] } | undefined)?.hosts ?? []).some((p) => hostPatternMatches(p, h.host)));
    if (op?.action !== 'apply') return { host: h.host, kind: 'reuse' as const, entry: '(an existing entry covers it)' };
    const ours = op.object.metadata.labels?.[CANARY_LABEL] === spec.name;
    return { host: h.host, kind: ours ? ('create' as const) : ('share' as const), entry: describeRef(refOf(op.object, spec.namespace)).replace(/^ServiceEntry /, '') };
  });
  const seen = new Set<string>();
  const gateWarnings: string[] = [];
  for (const record of state.history) {
    for (const evaluation of record.evaluations) {
      for (const v of evaluation.verdicts) {
        if (v.check !== EGRESS_CHECK || !v.reason.startsWith(WARNING)) continue;
        const text = `${record.stage}: ${v.reason.slice(WARNING.length)}`;
        if (!seen.has(text)) gateWarnings.push(text);
        seen.add(text);
      }
    }
  }
  return { mode: mode?.mode ?? 'unknown', source: mode?.source ?? 'not read by this run', warnings: mode?.warnings ?? [], entries, gateWarnings: gateWarnings.slice(-MAX_GATE_WARNINGS) };
}
