// The mode and repository an entry's input or flag chooses over the spec's (action input `mode`, CLI
// `--mode`, `--repository`, `--branch`), checked the way the spec is: one clear error naming the flag.
import { InputError } from '../errors.ts';
import { branchNameProblem } from './repository-path.ts';
import type { CanarySpec } from './types.ts';

export interface ModeOverrides {
  mode?: string;
  repository?: string;
  branch?: string;
  /** How the entry names its settings in messages, e.g. `--mode` or `input mode`. */
  names: { mode: string; repository: string; branch: string };
}

export function withModeOverrides(spec: CanarySpec, o: ModeOverrides): CanarySpec {
  if (o.mode !== undefined && o.mode !== '' && o.mode !== 'apply' && o.mode !== 'commit') {
    throw new InputError({ path: o.names.mode, message: `\`${o.mode}\` is not a mode; expected \`apply\` or \`commit\`` });
  }
  const mode = o.mode === undefined || o.mode === '' ? spec.mode ?? 'apply' : o.mode;
  const out: CanarySpec = { ...spec };
  if (mode === 'apply') delete out.mode;
  else out.mode = 'commit';
  if ((o.repository || o.branch) && !spec.commit) {
    const given = o.repository ? o.names.repository : o.names.branch;
    throw new InputError({ file: spec.source.file, path: 'spec.commit', message: `${given} needs the spec's \`commit\` section (at least \`branch\` and \`file\`)` });
  }
  if (spec.commit) {
    out.commit = { ...spec.commit };
    if (o.repository) out.commit.repository = o.repository;
    if (o.branch) {
      const problem = branchNameProblem(o.branch);
      if (problem || o.branch.startsWith('-')) throw new InputError({ path: o.names.branch, message: `git does not allow this branch name: it ${problem ?? 'starts with `-`'}` });
      out.commit.branch = o.branch;
    }
  }
  if (out.mode === 'commit' && !out.commit) {
    throw new InputError({ file: spec.source.file, path: 'spec.commit', message: `commit mode (${o.mode ? o.names.mode : 'spec.mode'}) needs the spec's \`commit\` section: the \`branch\` and the \`file\` that holds the managed objects` });
  }
  return out;
}
