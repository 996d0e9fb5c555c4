import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { promqlSyntaxError, selectedMetricNames, TEMPLATE_VARIABLES } from '../../../src/spec/promql.ts';

describe('promqlSyntaxError', () => {
  it('accepts the standard Istio queries with every template variable', () => {
    const successRate = 'sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{ namespace }}",destination_workload="{{ canaryWorkload }}",response_code!~"5.*"}[{{ interval }}])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload="{{ canaryWorkload }}"}[{{ interval }}]))';
    const p99 = 'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{destination_service="{{ service }}",destination_version=~"{{ canaryVersion }}|{{ stableVersion }}",destination_workload!="{{ stableWorkload }}"}[{{ interval }}])))';
    expect(promqlSyntaxError(successRate)).toBeUndefined();
    expect(promqlSyntaxError(p99)).toBeUndefined();
  });

  it('reports the column of the first error on a one-line query', () => {
    expect(promqlSyntaxError('sum(rate(x[1m])) by (le')).toBe('PromQL syntax error at column 24: unexpected end of query');
    expect(promqlSyntaxError('x{a=b}')).toBe('PromQL syntax error at column 5: unexpected "b}"');
  });

  it('maps columns back through substituted variables', () => {
    // `{{ interval }}` is 14 characters in the template and 2 after substitution.
    expect(promqlSyntaxError('rate(x[{{ interval }}]) +')).toBe('PromQL syntax error at column 26: unexpected end of query');
  });

  it('reports line and column in a multi-line query', () => {
    expect(promqlSyntaxError('sum(\n  rate(x[1m]) bar\n)')).toBe('PromQL syntax error at line 2, column 15: unexpected "bar"');
  });

  it('names an unknown variable and lists the allowed ones', () => {
    const message = promqlSyntaxError('x{w="{{ workload }}"}');
    expect(message).toMatch(/^unknown template variable \{\{ workload \}\} at column 6; allowed: /);
    for (const name of TEMPLATE_VARIABLES) expect(message).toContain(`{{ ${name} }}`);
  });

  it('refuses an inherited property name as a variable', () => {
    expect(promqlSyntaxError('x{a="{{ constructor }}"}')).toMatch(/^unknown template variable \{\{ constructor \}\}/);
  });

  it('refuses an empty query', () => {
    expect(promqlSyntaxError('  ')).toBe('the PromQL query is empty');
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => {
      const result = promqlSyntaxError(text);
      expect(result === undefined || typeof result === 'string').toBe(true);
    }));
  });
});

describe('selectedMetricNames', () => {
  it('names the metric of each selector, by identifier or by an exact __name__ matcher; undefined where no literal name', () => {
    expect(selectedMetricNames('sum(rate(http_requests_total{workload="{{ canaryWorkload }}",code=~"5.."}[{{ interval }}])) / sum(rate(istio_requests_total[{{ interval }}]))')).toEqual([
      'http_requests_total',
      'istio_requests_total',
    ]);
    expect(selectedMetricNames('{__name__="app_errors_total", job="x"} + {__name__=~"app_.*"}')).toEqual(['app_errors_total', undefined]);
    expect(selectedMetricNames('vector(1)')).toEqual([]);
  });

  it('undefined for a template that does not parse', () => {
    expect(selectedMetricNames('sum(rate(x[1m])')).toBeUndefined();
    expect(selectedMetricNames('x{a="{{ nope }}"}')).toBeUndefined();
  });
});
