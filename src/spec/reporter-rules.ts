// Metrics the data plane in use never produces are refused at load, not discovered as "no data"
// at stage 3: a custom query selecting a reporter the data plane has no proxy for, and, behind a
// waypoint, a mirror stage judged by the built-in checks (nobody reports mirrored requests there).
import { reportedBy, selectedReporters } from '../analysis/reporter.ts';
import { isRecord, type PathProblem } from './problem.ts';

export function reporterProblems(spec: Record<string, unknown>, problems: PathProblem[]): void {
  const dataPlane = spec.dataPlane === 'waypoint' ? 'waypoint' : spec.dataPlane === undefined || spec.dataPlane === 'sidecar' ? 'sidecar' : undefined;
  if (dataPlane === undefined || !isRecord(spec.analysis) || !Array.isArray(spec.analysis.checks)) return;
  const produced = reportedBy(dataPlane);
  const checks = spec.analysis.checks;
  checks.forEach((check, i) => {
    if (!isRecord(check) || typeof check.query !== 'string') return;
    for (const reporter of selectedReporters(check.query)) {
      if (produced.includes(reporter) || reporter.includes('{{')) continue;
      problems.push({
        path: ['spec', 'analysis', 'checks', i, 'query'],
        message: `selects reporter="${reporter}", which no proxy reports with dataPlane ${dataPlane} (it reports ${produced.map((r) => `reporter="${r}"`).join(' and ')}), so the query would see nothing; expected one of those, or reporter="{{ reporter }}"`,
      });
    }
  });
  const builtIn = checks.some((c) => isRecord(c) && (c.type === 'success-rate' || c.type === 'latency-p99'));
  if (dataPlane !== 'waypoint' || !builtIn || !Array.isArray(spec.stages)) return;
  spec.stages.forEach((stage, i) => {
    if (!isRecord(stage) || !('mirror' in stage)) return;
    problems.push({
      path: ['spec', 'stages', i, 'mirror'],
      message: 'behind a waypoint no proxy reports mirrored requests (the waypoint counts the requests it serves; the canary has no sidecar), so the built-in checks would see no data in this stage; expected no mirror stage with dataPlane waypoint, or dataPlane sidecar',
    });
  });
}
