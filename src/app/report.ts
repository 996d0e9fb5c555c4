// The report people read: each state the engine hands over is rendered to markdown here and
// published to every destination (PR comment, job summary, a file).
import type { Logger, ProgressPort, ReportPort, RolloutView } from '../core/ports.ts';
import { renderReport, type ReportLinks } from '../report/markdown.ts';
import type { OutboundMode } from '../report/outbound.ts';

/** The markdown report of one view of a rollout (`outbound`: the mode this run read, for specs with egress). */
export function reportOf(view: RolloutView, links?: ReportLinks, outbound?: OutboundMode): string {
  const notInEffect = view.notInEffect !== undefined ? { notInEffect: view.notInEffect } : {};
  return renderReport({ spec: view.spec, state: view.state, plan: view.plan, now: view.at, ...(links ? { links } : {}), ...(outbound ? { outbound } : {}), ...notInEffect });
}

/** A progress port that renders each view once and publishes it to every destination; a failing
 * destination is a warning and never stops the others or the release. */
export function reportProgress(reports: ReportPort[], options: { log: Logger; links?: ReportLinks; outbound?: OutboundMode }): ProgressPort {
  return {
    show: async (view) => {
      if (reports.length === 0) return;
      const markdown = reportOf(view, options.links, options.outbound);
      for (const report of reports) {
        try {
          await report.publish(markdown);
        } catch (e) {
          options.log.warning(`could not publish the report: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    },
  };
}
