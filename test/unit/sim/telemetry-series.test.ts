// The exposition never holds one label set twice: two owners (two services' loads through one
// gateway to one version) can record identical labels, and Prometheus keeps only the first of
// duplicate series, silently losing the other's requests.
import { describe, expect, it } from 'vitest';
import { LABEL_NAMES, Telemetry, type IstioLabels } from '../../sim/telemetry.ts';
import { parseExposition } from './exposition.ts';

const labels = Object.fromEntries(LABEL_NAMES.map((n) => [n, n === 'response_code' ? '200' : `${n}-value`])) as IstioLabels;

describe('Telemetry.render', () => {
  it('sums the same label set recorded by two owners into one series, and keeps owners apart for resets', () => {
    const t = new Telemetry();
    t.record('shop/web', labels, 3);
    t.record('shop/web', labels, 700);
    t.record('shop/api', labels, 40);
    t.recordServedByApp('shop/web', { namespace: 'shop', workload: 'catalog-v2', method: 'GET', code: '200' });
    t.recordServedByApp('shop/api', { namespace: 'shop', workload: 'catalog-v2', method: 'GET', code: '200' });
    const samples = parseExposition(t.render());
    const named = (name: string) => samples.filter((s) => s.name === name);
    expect(named('istio_requests_total').map((s) => s.value)).toEqual([3]);
    expect(named('istio_request_duration_milliseconds_sum').map((s) => s.value)).toEqual([743]);
    expect(named('istio_request_duration_milliseconds_bucket').filter((s) => s.labels.le === '50').map((s) => s.value)).toEqual([2]);
    expect(named('http_requests_total').map((s) => s.value)).toEqual([2]);

    t.reset('shop/web');
    expect(parseExposition(t.render()).filter((s) => s.name === 'istio_requests_total').map((s) => s.value)).toEqual([1]);
  });
});
