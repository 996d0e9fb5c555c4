// Reads the action's inputs strictly: unknown values are errors that name the input, never defaults.
import * as core from '@actions/core';
import { InputError } from '../errors.ts';
import type { ReleaseCommand } from '../app/release.ts';
import { parseDuration } from '../spec/duration.ts';
import { urlCredentials } from '../spec/url.ts';

export type ActionCommand = ReleaseCommand | 'plan';
const COMMANDS: ActionCommand[] = ['run', 'start', 'advance', 'promote', 'abort', 'status', 'plan'];

export function readCommand(): ActionCommand {
  const value = core.getInput('command') || 'run';
  if (!COMMANDS.includes(value as ActionCommand)) {
    throw new InputError({ path: 'input command', message: `expected one of ${COMMANDS.join(', ')}, got "${value}"` });
  }
  return value as ActionCommand;
}

export function readBoolean(name: string): boolean {
  const value = core.getInput(name).trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new InputError({ path: `input ${name}`, message: `expected true or false, got "${value}"` });
}

export function readDuration(name: string): number | undefined {
  const value = core.getInput(name).trim();
  return value ? parseDuration(value, `input ${name}`) : undefined;
}

/** A secret input: masked in the log before anything else can print it. */
export function readSecret(name: string): string | undefined {
  const value = core.getInput(name);
  if (!value) return undefined;
  core.setSecret(value);
  return value;
}

/** The runner masks a multi-line secret only as a whole; mask each credential value on its own too.
 * The YAML reader behind it is loaded here, not at start: only a step that got past its inputs needs it. */
export async function readKubeconfig(name: string): Promise<string | undefined> {
  const value = readSecret(name);
  if (!value) return value;
  const { kubeconfigCredentials } = await import('../adapters/kubeconfig-credentials.ts');
  for (const credential of kubeconfigCredentials(value)) core.setSecret(credential);
  return value;
}

/** A URL input (prometheus-url): whatever in it could be a credential is masked before anything can print it. */
export function readUrl(name: string): string | undefined {
  const value = core.getInput(name);
  if (!value) return undefined;
  for (const credential of urlCredentials(value)) core.setSecret(credential);
  return value;
}

/** Commit mode's `push: github`: the workflow token and repository (GitHub Enterprise's API URL too). */
export function githubForCommits(): { token?: string; repository?: string; apiUrl?: string } {
  const token = core.getInput('github-token');
  return {
    ...(token ? { token } : {}),
    ...(process.env.GITHUB_REPOSITORY ? { repository: process.env.GITHUB_REPOSITORY } : {}),
    ...(process.env.GITHUB_API_URL ? { apiUrl: process.env.GITHUB_API_URL } : {}),
  };
}
