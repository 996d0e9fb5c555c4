import { describe, expect, it } from 'vitest';
import { RetriesExhausted, withRetries } from '../../../src/adapters/retry.ts';

/** A fake clock whose sleep advances time, so backoff runs instantly and is observable. */
function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps, advance: (ms: number) => (t += ms) };
}

class Transient extends Error {}

describe('withRetries', () => {
  it('retries transient failures with growing, jittered delays until one succeeds', async () => {
    const time = fakeTime();
    let calls = 0;
    const value = await withRetries(
      async () => {
        calls++;
        if (calls < 4) throw new Transient('503');
        return 'ok';
      },
      { deadlineMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000, isTransient: (e) => e instanceof Transient, random: () => 0.5, ...time },
    );
    expect(value).toBe('ok');
    expect(time.sleeps).toEqual([50, 100, 200]);
  });

  it('caps the delay', async () => {
    const time = fakeTime();
    let calls = 0;
    await withRetries(
      async () => {
        if (++calls < 8) throw new Transient('503');
      },
      { deadlineMs: 60_000, baseDelayMs: 100, maxDelayMs: 1_000, isTransient: () => true, random: () => 1, ...time },
    );
    expect(Math.max(...time.sleeps)).toBe(1_000);
  });

  it('rethrows a permanent failure at once', async () => {
    const time = fakeTime();
    const permanent = new Error('422');
    await expect(withRetries(async () => { throw permanent; }, { deadlineMs: 60_000, isTransient: (e) => e instanceof Transient, ...time })).rejects.toBe(permanent);
    expect(time.sleeps).toEqual([]);
  });

  it('gives up when the next attempt would start after the deadline, keeping the last error', async () => {
    const time = fakeTime();
    const onRetry: number[] = [];
    const error = await withRetries(
      async () => {
        time.advance(300); // each attempt takes 300 ms
        throw new Transient('connection refused');
      },
      { deadlineMs: 2_000, baseDelayMs: 200, isTransient: () => true, random: () => 1, onRetry: (_e, attempt) => onRetry.push(attempt), ...time },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).lastError).toEqual(new Transient('connection refused'));
    expect(time.now()).toBeLessThanOrEqual(2_000);
    expect((error as RetriesExhausted).attempts).toBe(onRetry.length + 1);
    expect(onRetry.length).toBeGreaterThan(1);
  });

  it('tells each attempt how much time is left', async () => {
    const time = fakeTime();
    const remaining: number[] = [];
    await withRetries(
      async (left) => {
        remaining.push(left);
        if (remaining.length < 3) throw new Transient('timeout');
      },
      { deadlineMs: 1_000, baseDelayMs: 100, isTransient: () => true, random: () => 1, ...time },
    );
    expect(remaining).toEqual([1_000, 900, 700]);
  });
});

describe('withRetries with a number of attempts (the Prometheus policy)', () => {
  it('gives up after maxAttempts, doubling the plain backoff without jitter', async () => {
    const time = fakeTime();
    const error = await withRetries(
      async () => {
        throw new Transient('502');
      },
      { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 60_000, jitter: false, isTransient: () => true, random: () => 0, ...time },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhausted);
    expect((error as RetriesExhausted).attempts).toBe(3);
    expect(time.sleeps).toEqual([10, 20]);
  });

  it('waits at least what the failure asks for, up to the cap', async () => {
    const time = fakeTime();
    const asked = [2_000, 60_000];
    const answers = [new Transient('429'), new Transient('429')];
    const attempt = async () => {
      const failure = answers.shift();
      if (failure) throw failure;
      return 'ok';
    };
    const options = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000, jitter: false, isTransient: () => true, delayHintMs: () => asked.shift(), ...time };
    expect(await withRetries(attempt, options)).toBe('ok');
    expect(time.sleeps).toEqual([2_000, 5_000]);
  });
});
