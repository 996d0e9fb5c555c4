// `command: plan` in the action: the same plan as the CLI, printed to the log and put in the job
// summary. Nothing touches a cluster.
import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import { planFromFiles } from '../app/plan-files.ts';
import { planSummaryMarkdown } from '../report/plan-summary.ts';
import type { Logger } from '../core/ports.ts';

function required(name: string, what: string): string {
  const value = core.getInput(name);
  if (!value) throw new InputError({ path: `input ${name}`, message: `required with command: plan (${what})` });
  return value;
}

export async function runPlanInAction(log: Logger): Promise<void> {
  // One path per line: the spec's HTTPRoute and the routes competing with it (routing httpRoute).
  const httpRoutes = core.getMultilineInput('http-route-file');
  const { spec, plan, text } = await planFromFiles({
    spec: required('spec', 'the Canary spec file'),
    ...(httpRoutes.length > 0 ? { httpRoutes } : { virtualService: required('virtual-service-file', 'the VirtualService manifest to plan against; http-route-file with routing httpRoute') }),
    destinationRule: core.getInput('destination-rule-file') || undefined,
    canary: core.getInput('canary') || undefined,
  });
  log.info(text);
  await core.summary.addRaw(planSummaryMarkdown(plan, spec)).write();
}
