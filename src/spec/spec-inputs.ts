// The action's inputs that build a spec without a file, and which of them are required. Kept apart
// from the spec's validator so that a start without inputs fails before loading it.
import { InputError, type InputProblem } from '../errors.ts';

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

export const INPUT_NAMES: Record<keyof SpecInputs, string> = {
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

export const REQUIRED = ['namespace', 'virtualService', 'host', 'stableVersion', 'canaryVersion'] as const;

export function given(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** Throws one InputError naming every required input that is missing. */
export function requireSpecInputs(inputs: SpecInputs): void {
  const missing: InputProblem[] = REQUIRED.filter((k) => !given(inputs[k])).map((k) => ({
    path: `input ${INPUT_NAMES[k]}`,
    message: `input \`${INPUT_NAMES[k]}\` is required when no spec file is given`,
  }));
  if (missing.length) throw new InputError(missing);
}
