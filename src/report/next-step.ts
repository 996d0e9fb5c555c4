// The end of every report: the exact next step, as the dispatch form and the inputs to give it
// (or, outside GitHub, the CLI command), and the run that is driving the release.
import type { RolloutState } from '../core/state.ts';
import type { Plan } from '../plan/types.ts';
import type { CanarySpec } from '../spec/types.ts';
import { escapeInline, inlineCode, safeUrl } from './escape.ts';
import { trafficText } from './headline.ts';

/** Where people act on a release from GitHub. */
export interface ReportLinks {
  /** The workflow with the `workflow_dispatch` form (inputs `command` and `canary`). */
  dispatch?: { owner: string; repo: string; workflowFile: string; serverUrl?: string };
  /** The run that executed this command. */
  runUrl?: string;
}

type Command = 'advance' | 'promote' | 'abort';

/** `https://github.com/<owner>/<repo>/actions/workflows/<file>`: the page with the "Run workflow" form. */
export function dispatchUrl(dispatch: NonNullable<ReportLinks['dispatch']>): string | undefined {
  const base = dispatch.serverUrl ?? 'https://github.com';
  const path = [dispatch.owner, dispatch.repo, 'actions', 'workflows', dispatch.workflowFile].map(encodeURIComponent).join('/');
  return safeUrl(`${base.replace(/\/+$/, '')}/${path}`);
}

function nextStageText(state: RolloutState, plan: Plan | undefined): string {
  const next = plan?.stages[state.stageIndex + 1];
  return next ? `on to ${trafficText(next.traffic)} (stage ${escapeInline(next.id)})` : 'promote after this last stage';
}

/** What each command would do from here, in the order people usually want them. */
function choices(spec: CanarySpec, state: RolloutState, plan: Plan | undefined, notInEffect: boolean): Array<{ command: Command; does: string }> {
  const canary = escapeInline(spec.canary.subset);
  const stable = escapeInline(spec.stable.subset);
  if (notInEffect) return [{ command: 'abort', does: 'once what Istio reports is fixed: writes nothing new and waits until Istio has accepted the rollback' }];
  switch (state.status) {
    case 'in-progress':
      // A run holds the rollout: it moves on by itself, and only abort may step in while it does.
      if (state.holder) return [{ command: 'abort', does: `stop it: all traffic back on ${stable}` }];
      return [
        { command: 'advance', does: `judge the current stage and, once its bake is over, go ${nextStageText(state, plan)}` },
        { command: 'promote', does: `all traffic on ${canary} now, skipping the remaining gates` },
        { command: 'abort', does: `all traffic back on ${stable}` },
      ];
    case 'paused':
      return [
        { command: 'advance', does: `go ${nextStageText(state, plan)}` },
        { command: 'promote', does: `all traffic on ${canary} now` },
        { command: 'abort', does: `all traffic back on ${stable}` },
      ];
    case 'promoted':
      return [{ command: 'abort', does: `only to undo the release: the owned route back on ${stable}` }];
    case 'rolled-back':
      return [];
  }
}

function intro(state: RolloutState, notInEffect: boolean): string {
  if (notInEffect) return 'Istio has not put the rollback into effect, so traffic may still reach the canary. Fix what Istio reports, then run the release workflow with:';
  switch (state.status) {
    case 'in-progress':
      if (state.holder) return 'The run below is driving the release and moves it on by itself. To stop it, run the release workflow with:';
      return 'The release is waiting on its current stage. Run the release workflow with one of these inputs:';
    case 'paused':
      return 'The release is paused until someone decides. Run the release workflow with one of these inputs:';
    case 'promoted':
      return 'Nothing left to do: the release is complete.';
    case 'rolled-back':
      if (state.history.length === 0) return 'Nothing to decide: the release workflow starts a release on merge (`command: run`).';
      return 'All traffic is on stable. Fix the new version and release it again: the release workflow starts a new release on merge (`command: run`).';
  }
}

export function renderNextStep(spec: CanarySpec, state: RolloutState, plan: Plan | undefined, links: ReportLinks | undefined, notInEffect = false): string {
  const url = links?.dispatch ? dispatchUrl(links.dispatch) : undefined;
  const form = url ? `[Run workflow](${url})` : undefined;
  const lines = choices(spec, state, plan, notInEffect).map(({ command, does }) => {
    const how = form
      ? `${form} with ${inlineCode(`command: ${command}`)} and ${inlineCode(`canary: ${spec.name}`)}`
      : inlineCode(`istio-canary ${command} --spec ${spec.source.file ?? 'canary.yaml'} --canary ${spec.name}`);
    return `- **${command}** — ${does}: ${how}`;
  });
  const run = safeUrl(state.holder?.runUrl ?? state.runUrl ?? links?.runUrl);
  const driving = run ? `Driving run: [${escapeInline(runLabel(run))}](${run})` : '_Run URL not recorded._';
  return ['#### Next step', '', intro(state, notInEffect), '', ...lines, '', driving].join('\n');
}

/** `run 123456` from `…/actions/runs/123456`, else `workflow run`. */
function runLabel(url: string): string {
  const id = /\/actions\/runs\/(\d+)/.exec(url)?.[1];
  return id ? `run ${id}` : 'workflow run';
}
