// The simple case without a spec file: the action's inputs build the same spec (subsets
// `version-<v>`, labels `{version: <v>}`, default stages), checked by the same rules.
import { InputError, type InputProblem } from '../errors.ts';
import { buildCanarySpec } from './build.ts';
import { shortHost } from './names.ts';
import type { PathProblem } from './problem.ts';
import { API_VERSION, KIND } from './raw.ts';
import type { CanarySpec } from './types.ts';
import { checkCanaryDocument } from './validate.ts';

/** Strings as the action hands them over ('' = not set). */
export interface SpecInputs {
  namespace: string;
  virtualService: string;
  host: string;
  stableVersion: string;
  canaryVersion: string;
  route?: string;
  destinationRule?: string;
  bake?: string;
  settle?: string;
  name?: string;
}

const INPUT_NAMES: Record<keyof SpecInputs, string> = {
  namespace: 'namespace',
  virtualService: 'virtual-service',
  host: 'host',
  stableVersion: 'stable-version',
  canaryVersion: 'canary-version',
  route: 'route',
  destinationRule: 'destination-rule',
  bake: 'bake',
  settle: 'settle',
  name: 'name',
};

const REQUIRED = ['namespace', 'virtualService', 'host', 'stableVersion', 'canaryVersion'] as const;

/** Which input a document field came from (the metadata name defaults from `host`). */
function inputFor(path: PathProblem['path'], nameGiven: boolean): string {
  const [top, field] = path;
  if (top === 'metadata') return INPUT_NAMES[nameGiven ? 'name' : 'host'];
  if (field === 'stable') return INPUT_NAMES.stableVersion;
  if (field === 'canary') return INPUT_NAMES.canaryVersion;
  return Object.hasOwn(INPUT_NAMES, String(field)) ? INPUT_NAMES[field as keyof SpecInputs] : String(field ?? top ?? '');
}

function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function specFromInputs(inputs: SpecInputs): CanarySpec {
  const missing: InputProblem[] = REQUIRED.filter((k) => !given(inputs[k])).map((k) => ({
    path: `input ${INPUT_NAMES[k]}`,
    message: `input \`${INPUT_NAMES[k]}\` is required when no spec file is given`,
  }));
  if (missing.length) throw new InputError(missing);
  const host = given(inputs.host)!;
  const optional = Object.fromEntries(
    (['route', 'destinationRule', 'bake', 'settle'] as const).flatMap((k) => (given(inputs[k]) ? [[k, given(inputs[k])]] : [])),
  );
  const document = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: given(inputs.name) ?? shortHost(host) },
    spec: {
      namespace: given(inputs.namespace),
      virtualService: given(inputs.virtualService),
      host,
      stable: { labels: { version: given(inputs.stableVersion) } },
      canary: { labels: { version: given(inputs.canaryVersion) } },
      ...optional,
    },
  };
  const checked = checkCanaryDocument(document);
  if (!checked.document) {
    const nameGiven = given(inputs.name) !== undefined;
    throw new InputError(checked.problems.map((p) => {
      const input = inputFor(p.path, nameGiven);
      return { path: `input ${input}`, message: p.message };
    }));
  }
  return buildCanarySpec(checked.document, {});
}
