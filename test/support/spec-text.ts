// A base Canary spec, as lines, edited for one test case; and the problems parsing reports for it.
import { expect } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { parseCanarySpecs } from '../../src/spec/parse.ts';

/** `base` with lines replaced (1-based line → new text; null deletes the line) and `extra` lines appended. */
export function editedSpec(base: readonly string[], edits: Record<number, string | null> = {}, extra: string[] = []): string {
  const lines = base.flatMap((line, i) => (i + 1 in edits ? (edits[i + 1] === null ? [] : [edits[i + 1]!]) : [line]));
  return `${[...lines, ...extra].join('\n')}\n`;
}

/** The InputError parsing `text` as canary.yaml raises; fails the test when the spec is accepted. */
export function specError(text: string): InputError {
  try {
    parseCanarySpecs(text, 'canary.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError, the spec was accepted');
}

/** One line per problem of `text`. */
export function specProblems(text: string): string[] {
  return specError(text).message.split('\n');
}
