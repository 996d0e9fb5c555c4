// Which failures of a Kubernetes call are retried: a dropped connection (before or during the answer),
// timeouts, 429 and 5xx; never a refusal or a programming error.
import { expect, test } from 'vitest';
import { isTransient } from '../../../src/adapters/kubernetes.ts';

test('a connection dropped before or while reading the answer is retried', () => {
  expect(isTransient(new TypeError('fetch failed'))).toBe(true);
  expect(isTransient(new TypeError('terminated'))).toBe(true);
});

test('other type errors are not retried: they are bugs, and retrying hides them', () => {
  expect(isTransient(new TypeError("Cannot read properties of undefined (reading 'spec')"))).toBe(false);
  expect(isTransient(new Error('terminated'))).toBe(false);
});

test('timeouts and aborts are retried', () => {
  expect(isTransient(new DOMException('timed out', 'TimeoutError'))).toBe(true);
});
