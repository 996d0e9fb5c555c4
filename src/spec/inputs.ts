// The simple case without a spec file: the action's inputs build the same spec (subsets
// `version-<v>`, labels `{version: <v>}`, default stages), checked by the same rules.
import { InputError } from '../errors.ts';
import { buildCanarySpec } from './build.ts';
import { shortHost } from './names.ts';
import type { PathProblem } from './problem.ts';
import { API_VERSION, KIND } from './raw.ts';
import { given, INPUT_NAMES, requireSpecInputs, type SpecInputs } from './spec-inputs.ts';
import type { CanarySpec } from './types.ts';
import { checkCanaryDocument } from './validate.ts';

export type { SpecInputs } from './spec-inputs.ts';

/** Which input a document field came from (the metadata name defaults from `host`). */
function inputFor(path: PathProblem['path'], nameGiven: boolean): string {
  const [top, field] = path;
  if (top === 'metadata') return INPUT_NAMES[nameGiven ? 'name' : 'host'];
  if (field === 'stable') return INPUT_NAMES.stableVersion;
  if (field === 'canary') return INPUT_NAMES.canaryVersion;
  return Object.hasOwn(INPUT_NAMES, String(field)) ? INPUT_NAMES[field as keyof SpecInputs] : String(field ?? top ?? '');
}

export function specFromInputs(inputs: SpecInputs): CanarySpec {
  requireSpecInputs(inputs);
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
