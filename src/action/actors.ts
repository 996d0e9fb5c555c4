// The approval fallback for repositories without environment reviewers: `allowed-actors` names the
// people (GitHub logins) who may move a release forward by hand. Rolling back stays open to all.
import { InputError } from '../errors.ts';
import type { ActionCommand } from './inputs.ts';

/** Commands that send more traffic to the canary on someone's say-so. */
const GATED: ReadonlySet<ActionCommand> = new Set(['advance', 'promote']);

/** Logins from a comma-, space- or newline-separated list; `@` prefixes allowed. */
export function parseActors(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((login) => login.replace(/^@/, '').trim())
    .filter((login) => login !== '');
}

/** Throws when `allowed` is set, the command is gated and `actor` is not on the list (logins compare
 * case-insensitively, as GitHub's do). A re-run keeps `github.actor` of the first run, so the person
 * who re-ran it (`github.triggering_actor`, when given) must be on the list too. */
export function checkActor(command: ActionCommand, allowedText: string, actor: string, triggeringActor?: string): void {
  const allowed = parseActors(allowedText);
  if (allowed.length === 0 || !GATED.has(command)) return;
  const listed = (login: string) => allowed.some((a) => a.toLowerCase() === login.toLowerCase());
  const refused = [actor, triggeringActor ?? ''].find((login, i) => (i === 0 || login !== '') && !listed(login));
  if (refused === undefined) return;
  throw new InputError({
    path: 'input allowed-actors',
    message: `${refused || 'this run\'s actor'} may not ${command} this release: only ${allowed.join(', ')} may advance or promote it (abort stays open to everyone)`,
  });
}
