// A Prometheus URL's credentials never appear in an error, however malformed the URL.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metricsFor } from '../../../src/app/release.ts';
import { InputError } from '../../../src/errors.ts';
import { prometheusUrlProblem, redactUrl, urlCredentials } from '../../../src/spec/url.ts';
import { canarySpec } from '../../support/rollout-fixtures.ts';

const check = { name: 'errors', type: 'success-rate' as const, compare: 'absolute' as const, min: 99, minRequests: 20, noData: 'fail' as const, failureLimit: 1 };
const spec = canarySpec({ analysis: { interval: 60_000, prometheus: { headers: {} }, checks: [check], failureLimit: 1, alpha: 0.05 } });

/** A secret framed by markers that appear nowhere else, with the characters that break URLs inside. */
const secret = fc.string({ unit: fc.constantFrom('a', 'Z', '9', '@', '/', '?', '#', ':', ' ', '%', '[', '\n'), maxLength: 8 }).map((s) => `Qx${s}xQ`);
const shapes = [
  (s: string) => `http://admin:${s}@prom:9090`,
  (s: string) => `https://${s}@prom.example:99999/prefix`,
  (s: string) => `ftp://user:${s}@prom`,
  (s: string) => `user:${s}@prom:9090`,
  (s: string) => `http://prom:9090/api?token=${s}`,
  (s: string) => `http://u:${s}@[::1:9090/#${s}`,
];

describe('Prometheus URL messages', () => {
  it('the issue\'s case: a malformed --prometheus-url with a password', async () => {
    const error = await metricsFor({ spec, prometheusUrl: 'http://admin:hunter2@prom:99999' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('prometheus-url (flag --prometheus-url / input prometheus-url): "http://***@prom:99999" is not a URL; expected e.g. http://prometheus.istio-system:9090');
  });

  it('a bad %-escape in the password is an input error, not a crash', async () => {
    const error = await metricsFor({ spec, prometheusUrl: 'http://admin:hun%zzter2@prom:9090' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).not.toContain('hun');
  });

  it('property: no message repeats a credential, whatever the URL looks like', async () => {
    await fc.assert(fc.asyncProperty(secret, fc.constantFrom(...shapes), async (s, shape) => {
      const text = shape(s);
      expect(redactUrl(text)).not.toContain('Qx');
      expect(prometheusUrlProblem(text) ?? '').not.toContain('Qx');
      const error = await metricsFor({ spec, prometheusUrl: text }).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message ?? '').not.toContain('Qx');
    }), { numRuns: 300 });
  });
});

describe('the prometheus-url input', () => {
  it('masks the userinfo, the password (as written and decoded) and query values, even of a URL that does not parse', () => {
    expect(urlCredentials('https://admin:p%40ss@prom:9090/?token=t0ken&org=acme')).toEqual(['admin:p%40ss', 'p%40ss', 'token=t0ken&org=acme', 'p@ss', 't0ken', 'acme']);
    expect(urlCredentials('http://admin:hunter2@prom:99999/x?token=abc')).toEqual(['admin:hunter2', 'hunter2', 'token=abc']);
    expect(urlCredentials('http://prom:9090')).toEqual([]);
  });

  it('property: every credential-framed part of a URL is covered by a mask', () => {
    fc.assert(fc.property(secret, fc.constantFrom(...shapes), (s, shape) => {
      const text = shape(s);
      const masks = urlCredentials(text);
      // The runner masks the union of every occurrence of every secret: no marker may stay outside it.
      const covered = new Array<boolean>(text.length).fill(false);
      for (const m of masks) for (let i = text.indexOf(m); i >= 0; i = text.indexOf(m, i + 1)) covered.fill(true, i, i + m.length);
      const shown = [...text].map((c, i) => (covered[i] ? '*' : c)).join('');
      expect(shown).not.toContain('Qx');
    }), { numRuns: 300 });
  });
});
