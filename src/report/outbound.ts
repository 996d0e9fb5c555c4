// The report's outbound section: the mode the canary's sidecars run with and where it came from,
// the ServiceEntries the release made or reused, what could not be read, and the egress gate's
// warnings (policy warn). Every name and host is escaped: hosts from telemetry are the canary's
// own requests.
import { escapeInline } from './escape.ts';

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
