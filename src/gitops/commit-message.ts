// The message of a commit that changes routing (a stage, the promotion, a rollback): a subject that
// says what happened, a body with the previous stage's verdict and figures, and trailers a tool can
// read back (`git log --format=%(trailers)`). Everything that comes from input is made one line of
// printable text, so nothing can start a new paragraph, forge a trailer or hide in a control character.
import type { CheckVerdict } from '../analysis/types.ts';

export type RoutingChange =
  /** A stage starts: `summary` says what it does, e.g. "shift 10% to version-v2". */
  | { kind: 'stage'; summary: string; stageId: string; index: number; total: number }
  | { kind: 'promote'; canarySubset: string }
  | { kind: 'rollback'; stableSubset: string; reason: string }
  /** A write of an object that carries no state (a DestinationRule made ready before the route to it). */
  | { kind: 'object'; summary: string; stageId: string };

export interface PreviousStage {
  stageId: string;
  summary: string;
  /** `passed`, `failed`, ... as in the rollout state's stage record. */
  result: string;
  verdicts: CheckVerdict[];
}

export interface CommitMessageInput {
  /** The Canary spec's name. */
  canary: string;
  change: RoutingChange;
  previous?: PreviousStage;
  /** Identifies the run that made the commit (the holder id). */
  runId: string;
  runUrl?: string;
}

export interface CommitMessage {
  /** The first line. */
  headline: string;
  /** Everything after the blank line: the body paragraphs, then the trailers. */
  body: string;
}

export const STAGE_TRAILER = 'Canary-Stage';
export const RUN_TRAILER = 'Canary-Run';
const MAX_HEADLINE = 120;

export function commitMessage(input: CommitMessageInput): CommitMessage {
  const name = oneLine(input.canary);
  const headline = truncate(`canary(${name}): ${headlineOf(input.change)}`, MAX_HEADLINE);
  const paragraphs: string[] = [];
  if (input.change.kind === 'rollback') paragraphs.push(`Rolled back: ${oneLine(input.change.reason)}`);
  if (input.previous) paragraphs.push(previousParagraph(input.previous));
  if (input.runUrl) paragraphs.push(`Run: ${oneLine(input.runUrl)}`);
  const trailers = [`${STAGE_TRAILER}: ${trailerValue(stageOf(input.change))}`, `${RUN_TRAILER}: ${trailerValue(input.runId)}`];
  paragraphs.push(trailers.join('\n'));
  return { headline, body: paragraphs.join('\n\n') };
}

/** The whole message as `git commit -F` takes it. */
export function messageText(message: CommitMessage): string {
  return `${message.headline}\n\n${message.body}\n`;
}

function headlineOf(change: RoutingChange): string {
  switch (change.kind) {
    case 'stage':
      return `${oneLine(change.summary)} [${change.index + 1}/${change.total}]`;
    case 'promote':
      return `promote ${oneLine(change.canarySubset)}`;
    case 'rollback':
      return `roll back to ${oneLine(change.stableSubset)}`;
    case 'object':
      return oneLine(change.summary);
  }
}

function stageOf(change: RoutingChange): string {
  switch (change.kind) {
    case 'stage':
      return change.stageId;
    case 'promote':
      return 'promoted';
    case 'rollback':
      return 'rolled-back';
    case 'object':
      return change.stageId;
  }
}

function previousParagraph(previous: PreviousStage): string {
  const lines = [`Previous stage ${oneLine(previous.stageId)} (${oneLine(previous.summary)}): ${oneLine(previous.result)}`];
  for (const v of previous.verdicts) {
    const value = v.value === undefined ? 'no value' : formatNumber(v.value);
    const requests = v.requests === undefined ? '' : `, ${v.requests} requests`;
    // Indented: a line of the body never starts with what git reads as a comment or a trailer.
    lines.push(`  - ${oneLine(v.check)}: ${v.status}, ${value} (threshold ${oneLine(v.threshold)}${requests}): ${oneLine(v.reason)}`);
  }
  return lines.join('\n');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/** One line of printable text: line breaks, tabs and other control or format characters become spaces. */
export function oneLine(text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** A trailer value: one line, and nothing a trailer parser would read as the start of another. */
function trailerValue(text: string): string {
  return oneLine(text) || '-';
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
