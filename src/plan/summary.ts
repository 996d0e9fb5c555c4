// One line per stage for logs, the job summary and the PR comment.
import type { CanarySpec, StageSpec, StringMatch } from '../spec/types.ts';
import type { TrafficState } from './types.ts';

export function stageSummary(spec: CanarySpec, stage: StageSpec, traffic: TrafficState): string {
  const { host } = spec;
  const canary = spec.canary.subset;
  const stable = spec.stable.subset;
  const kept = traffic.headerRule && stage.kind !== 'darkLaunch' ? ' (header rule kept)' : '';
  const shifted = traffic.canaryWeight > 0 ? `; ${traffic.canaryWeight}% of ${host} traffic to ${canary}` : '';
  switch (stage.kind) {
    case 'darkLaunch':
      return `requests with ${describeHeaders(stage.headers)} go to ${canary}; all other ${host} traffic stays on ${stable}${shifted}`;
    case 'mirror':
      return `${stage.percentage}% of ${host} traffic mirrored to ${canary}, answered by ${traffic.canaryWeight > 0 ? 'both subsets' : stable}${shifted}${kept}`;
    case 'weight':
      return `${traffic.canaryWeight}% of ${host} traffic to ${canary}, ${100 - traffic.canaryWeight}% to ${stable}${kept}`;
  }
}

export function promotedSummary(spec: CanarySpec): string {
  return `all ${spec.host} traffic to ${spec.canary.subset} (promoted; header rule and mirror removed)`;
}

export function rollbackSummary(spec: CanarySpec): string {
  return `all ${spec.host} traffic back on ${spec.stable.subset} (${spec.canary.subset} weight 0; header rule and mirror removed)`;
}

function describeHeaders(headers: Record<string, StringMatch>): string {
  return Object.entries(headers)
    .map(([name, m]) => {
      const [op, value] = Object.entries(m)[0] ?? ['present', ''];
      return op === 'present' ? `header ${name} present` : `header ${name} ${op} "${value}"`;
    })
    .join(' and ');
}
