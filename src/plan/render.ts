// The plan as files and text: manifests without server-populated metadata (so they can be
// committed or applied anywhere), plan.json, and each stage's unified diff against the one before.
import { createTwoFilesPatch } from 'diff';
import type { DestinationRule, VirtualService } from '../istio/types.ts';
import { safeYaml } from '../yaml/safe-yaml.ts';
import type { Plan, PlannedStage } from './types.ts';

/** Fields the API server fills in; meaningless (or harmful, resourceVersion) in a manifest file. */
const SERVER_METADATA = ['managedFields', 'resourceVersion', 'uid', 'creationTimestamp', 'generation', 'selfLink'] as const;

export function manifestObject<T extends VirtualService | DestinationRule>(obj: T): T {
  const { status: _status, ...rest } = obj as VirtualService | DestinationRule;
  const metadata: Record<string, unknown> = { ...rest.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  return { ...rest, metadata } as unknown as T;
}

export function manifestYaml(obj: VirtualService | DestinationRule | undefined): string {
  return obj === undefined ? '' : safeYaml(manifestObject(obj));
}

export interface RenderedFile {
  /** Relative to the output directory, with `/` separators. */
  path: string;
  content: string;
}

/** `NN-<stage>/{destinationrule,virtualservice}.yaml`, `promoted/`, `rollback/`, `plan.json`. */
export function planFiles(plan: Plan): RenderedFile[] {
  const dirs = [...plan.stages, plan.promoted, plan.rollback].flatMap((s) => [
    { path: `${s.id}/destinationrule.yaml`, content: manifestYaml(s.destinationRule) },
    { path: `${s.id}/virtualservice.yaml`, content: manifestYaml(s.virtualService) },
  ]);
  return [...dirs, { path: 'plan.json', content: `${JSON.stringify(planJson(plan), null, 2)}\n` }];
}

function stageJson(s: PlannedStage) {
  return { ...s, destinationRule: manifestObject(s.destinationRule), virtualService: manifestObject(s.virtualService) };
}

export function planJson(plan: Plan) {
  return {
    stages: plan.stages.map(stageJson),
    promoted: stageJson(plan.promoted),
    rollback: stageJson(plan.rollback),
    baseline: { virtualService: manifestObject(plan.baseline.virtualService), destinationRule: manifestObject(plan.baseline.destinationRule) },
    ...(plan.detected !== undefined ? { detected: plan.detected } : {}),
  };
}

export interface LiveObjects {
  virtualService: VirtualService;
  destinationRule?: DestinationRule;
}

/**
 * Human-readable plan: for each stage its summary, its writes and the diff from the previous
 * stage (the first stage and the rollback against the live objects, promotion against the last stage).
 */
export function planText(plan: Plan, live: LiveObjects): string {
  const blocks: string[] = [];
  if (plan.detected !== undefined) blocks.push(`The VirtualService already carries this release: ${detectedText(plan)}.\n`);
  let previous: LiveObjects = live;
  for (const s of plan.stages) {
    blocks.push(stageText(s, previous));
    previous = s;
  }
  blocks.push(stageText(plan.promoted, previous));
  blocks.push(stageText(plan.rollback, live, 'the live objects'));
  return blocks.join('\n');
}

function detectedText(plan: Plan): string {
  const d = plan.detected;
  return typeof d === 'number' ? `stage ${plan.stages[d]!.id}` : String(d);
}

function stageText(s: PlannedStage, previous: LiveObjects, against = 'the previous stage'): string {
  const writes = s.writes.length ? s.writes.map((w) => `${w.kind}${w.settleAfter ? ' (then settle)' : ''}`).join(', ') : 'nothing (no change)';
  const diffs = [
    objectDiff('destinationrule.yaml', previous.destinationRule, s.destinationRule),
    objectDiff('virtualservice.yaml', previous.virtualService, s.virtualService),
  ].filter((d) => d !== '');
  const body = diffs.length ? diffs.join('') : `(no change from ${against})\n`;
  return `== ${s.id}: ${s.summary}\nwrites: ${writes}\n${body}`;
}

function objectDiff(name: string, before: VirtualService | DestinationRule | undefined, after: VirtualService | DestinationRule): string {
  const a = manifestYaml(before);
  const b = manifestYaml(after);
  if (a === b) return '';
  const patch = createTwoFilesPatch(before ? `a/${name}` : '/dev/null', `b/${name}`, a, b, undefined, undefined, { context: 3 });
  // Drop jsdiff's "Index:" / "====" preamble: the ---/+++ lines already name the files.
  return patch.slice(patch.indexOf('--- '));
}
