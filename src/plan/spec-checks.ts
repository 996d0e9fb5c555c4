// The spec invariants the plan relies on. The spec parser reports them with line numbers; these
// checks keep planRelease safe for specs built in code (tests, action inputs) too.
import { InputError, type InputProblem } from '../errors.ts';
import { isDnsLabel } from '../spec/names.ts';
import type { CanarySpec } from '../spec/types.ts';

export function checkSpecForPlan(spec: CanarySpec): void {
  const problems = [...versionProblems(spec), ...stageProblems(spec)].map((p) => ({ file: spec.source.file, ...p }));
  if (problems.length > 0) throw new InputError(problems);
}

function versionProblems(spec: CanarySpec): InputProblem[] {
  const out: InputProblem[] = [];
  if (spec.stable.host !== undefined || spec.canary.host !== undefined) return hostProblems(spec);
  for (const side of ['stable', 'canary'] as const) {
    const subset = spec[side].subset;
    if (!isDnsLabel(subset)) {
      out.push({ path: `spec.${side}.subset`, message: `'${subset}' is not a valid subset name; expected a DNS-1123 label (lowercase letters, digits, '-')` });
    }
    if (Object.keys(spec[side].labels).length === 0) out.push({ path: `spec.${side}.labels`, message: 'expected at least one pod label' });
  }
  if (spec.stable.subset === spec.canary.subset) out.push({ path: 'spec.canary.subset', message: `stable and canary are both '${spec.canary.subset}'; expected two different subsets` });
  const sameLabels = JSON.stringify(Object.entries(spec.stable.labels).sort()) === JSON.stringify(Object.entries(spec.canary.labels).sort());
  if (sameLabels) out.push({ path: 'spec.canary.labels', message: 'stable and canary select the same pod labels; expected labels that tell the versions apart' });
  return out;
}

/** One Service per version: both versions have one, and they differ. */
function hostProblems(spec: CanarySpec): InputProblem[] {
  const [stable, canary] = [spec.stable.host, spec.canary.host];
  if (stable === undefined || canary === undefined) return [{ path: `spec.${stable === undefined ? 'stable' : 'canary'}.host`, message: 'expected a host on both versions, or on neither' }];
  if (stable === canary) return [{ path: 'spec.canary.host', message: `stable and canary are both the Service '${canary}'; expected each version's own Service` }];
  return [];
}

function stageProblems(spec: CanarySpec): InputProblem[] {
  const out: InputProblem[] = [];
  let previous = -1;
  spec.stages.forEach((s, i) => {
    const path = `spec.stages[${i}]`;
    if (s.kind === 'weight') {
      if (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 100) out.push({ path: `${path}.weight`, message: `weight ${s.weight} is outside 0..100; expected an integer percentage` });
      else if (s.weight <= previous) out.push({ path: `${path}.weight`, message: `weight ${s.weight} does not increase on the previous weight ${previous}; expected increasing weights` });
      previous = Math.max(previous, s.weight);
    }
    if (s.kind === 'mirror' && !(s.percentage > 0 && s.percentage <= 100)) out.push({ path: `${path}.percentage`, message: `mirror percentage ${s.percentage} is outside (0, 100]` });
    if (s.kind === 'darkLaunch' && Object.keys(s.headers).length === 0) out.push({ path: `${path}.headers`, message: 'expected at least one header to match' });
  });
  if (spec.stages.length === 0) out.push({ path: 'spec.stages', message: 'expected at least one stage' });
  return out;
}
