// Metrics the data plane in use never produces are refused at load, not discovered as "no data"
// at stage 3: a custom query selecting a reporter the data plane has no proxy for, and, behind a
// waypoint, a mirror stage that no check could judge. There nobody reports mirrored requests (the
// waypoint counts the requests it serves; the canary has no sidecar), so a check on Istio's metrics
// sees nothing of the canary in that stage; a custom check on a metric the canary exports itself
// (its own request counter) does.
import { reportedBy, selectedReporters } from '../analysis/reporter.ts';
import { isRecord, type PathProblem } from './problem.ts';
import { selectedMetricNames } from './promql.ts';

/** `defaultStages`: the stages are the defaults (the document gave none), which include a mirror stage. */
export function reporterProblems(spec: Record<string, unknown>, problems: PathProblem[], defaultStages = false): void {
  const dataPlane = spec.dataPlane === 'waypoint' ? 'waypoint' : spec.dataPlane === undefined || spec.dataPlane === 'sidecar' ? 'sidecar' : undefined;
  if (dataPlane === undefined || !isRecord(spec.analysis) || !Array.isArray(spec.analysis.checks)) return;
  const produced = reportedBy(dataPlane);
  const checks = spec.analysis.checks.filter(isRecord);
  spec.analysis.checks.forEach((check, i) => {
    if (!isRecord(check) || typeof check.query !== 'string') return;
    for (const reporter of selectedReporters(check.query)) {
      if (produced.includes(reporter) || reporter.includes('{{')) continue;
      problems.push({
        path: ['spec', 'analysis', 'checks', i, 'query'],
        message: `selects reporter="${reporter}", which no proxy reports with dataPlane ${dataPlane} (it reports ${produced.map((r) => `reporter="${r}"`).join(' and ')}), so the query would see nothing; expected one of those, or reporter="{{ reporter }}"`,
      });
    }
  });
  if (dataPlane !== 'waypoint' || checks.length === 0 || !Array.isArray(spec.stages)) return;
  const problem = mirrorStageProblem(checks, defaultStages ? 'list `stages` without a mirror stage' : 'drop the mirror stage');
  if (problem === undefined) return;
  if (defaultStages) {
    problems.push({ path: ['spec', 'stages'], message: `the default stages include a mirror stage (dark launch, mirror, 10, 50, 100 %); ${problem}` });
    return;
  }
  spec.stages.forEach((stage, i) => {
    if (isRecord(stage) && 'mirror' in stage) problems.push({ path: ['spec', 'stages', i, 'mirror'], message: problem });
  });
}

/** Whether a check can see the canary's mirrored requests behind a waypoint: a custom query that
 * reads some metric other than Istio's proxies' (`istio_*`), such as the canary's own counter. */
function seesMirroredRequests(check: Record<string, unknown>): boolean {
  if (check.type !== 'custom' || typeof check.query !== 'string') return false;
  // A query that does not parse has its own problem; do not pile another on it.
  const names = selectedMetricNames(check.query);
  return names === undefined || names.some((name) => name === undefined || !name.startsWith('istio_'));
}

/** How to judge a mirror stage behind a waypoint, or do without one (`drop`). */
function wayOut(drop: string): string {
  return (
    'judge it by a `custom` check on a metric the canary exports itself, e.g. the request counter of its Prometheus client ' +
    '(`http_requests_total{workload="{{ canaryWorkload }}",code=~"5.."}`), and give the checks on Istio\'s metrics `noData: pass`; ' +
    `or ${drop}, or use dataPlane sidecar`
  );
}

/** Why a mirror stage behind a waypoint cannot be judged with these checks, or undefined. */
function mirrorStageProblem(checks: Array<Record<string, unknown>>, drop: string): string | undefined {
  const why = 'behind a waypoint no proxy reports mirrored requests (the waypoint counts the requests it serves; the canary has no sidecar)';
  const blind = checks.filter((c) => !seesMirroredRequests(c));
  // A built-in check surely finds no canary requests there; a custom one on Istio's metrics may read stable's.
  const failing = blind.filter((c) => c.type !== 'custom' && c.noData !== 'pass');
  if (failing.length > 0) {
    const names = failing.map((c) => `\`${String(c.name)}\` (${String(c.type)}, noData: ${String(c.noData ?? 'fail')})`).join(', ');
    return `${why}, so ${failing.length === 1 ? 'check' : 'checks'} ${names} would see no data of the canary in this stage and fail it; ${wayOut(drop)}`;
  }
  if (blind.length === checks.length) return `${why}, so no check would see the canary in this stage (each reads Istio's metrics only); ${wayOut(drop)}`;
  return undefined;
}
