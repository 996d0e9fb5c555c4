// The message of the InputError `work` throws; fails the test when it throws nothing or anything else.
import { expect } from 'vitest';
import { InputError } from '../../src/errors.ts';

export function inputErrorMessage(work: () => unknown): string {
  try {
    work();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}
