// The prometheus-url input's credentials are masked before anything can print them.
import { afterEach, expect, test, vi } from 'vitest';
import { readUrl } from '../../../src/action/inputs.ts';

afterEach(() => {
  delete process.env['INPUT_PROMETHEUS-URL'];
  vi.restoreAllMocks();
});

test('password, userinfo and token of the prometheus-url input are masked', () => {
  process.env['INPUT_PROMETHEUS-URL'] = 'https://admin:hunter2@prom.example:9090/?token=t0ken-value';
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  expect(readUrl('prometheus-url')).toBe('https://admin:hunter2@prom.example:9090/?token=t0ken-value');
  const masks = out.join('').split('\n').filter((l) => l.startsWith('::add-mask::')).map((l) => l.slice('::add-mask::'.length));
  expect(masks).toEqual(expect.arrayContaining(['admin:hunter2', 'hunter2', 't0ken-value']));
});
