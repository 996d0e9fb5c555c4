// The Prometheus adapter against a local HTTP server that checks what it receives and answers like
// Prometheus' /api/v1/query (success bodies, error bodies, overload, a server that never answers).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, type PrometheusOptions } from '../../../src/adapters/prometheus.ts';
import { InputError, MetricsError } from '../../../src/errors.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status?: number; headers?: Record<string, string>; body: unknown } | 'never';

interface FakePrometheus {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const servers: FakePrometheus[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** Answers requests in order from `replies` (the last one repeats); 'never' holds the request until the client gives up. */
async function fakePrometheus(replies: Reply[] | ((r: Received) => Reply)): Promise<FakePrometheus> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      received.push(request);
      const reply = typeof replies === 'function' ? replies(request) : (replies[received.length - 1] ?? replies.at(-1) ?? 'never');
      if (reply === 'never') {
        res.on('close', () => res.destroy());
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/html' : 'application/json', ...reply.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake = {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(fake);
  return fake;
}

const vector = (...values: string[]) => ({
  status: 'success',
  data: { resultType: 'vector', result: values.map((v, i) => ({ metric: { pod: `p${i}` }, value: [1_764_000_000.5, v] })) },
});
const ok = (body: unknown): Reply => ({ body });
const QUERY = 'sum(increase(istio_requests_total{reporter="destination",destination_workload="catalog-v2"}[1m]))';

function metrics(url: string, more: Partial<PrometheusOptions> = {}) {
  const sleeps: number[] = [];
  const port = createPrometheusMetrics({
    url,
    retry: { attempts: 3, baseDelayMs: 10 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...more,
  });
  return { port, sleeps };
}

async function failure(promise: Promise<unknown>): Promise<MetricsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetricsError);
  return error as MetricsError;
}

describe('createPrometheusMetrics: requests', () => {
  it('POSTs the exact query form-encoded to /api/v1/query with the configured headers and token', async () => {
    const server = await fakePrometheus([ok(vector('42'))]);
    const { port } = metrics(server.url, { headers: { 'X-Scope-OrgID': 'team-a' }, bearerToken: 's3cret' });
    expect(await port.query(QUERY)).toBe(42);
    expect(server.received).toHaveLength(1);
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'POST', path: '/api/v1/query' });
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['x-scope-orgid']).toBe('team-a');
    expect(request?.headers.authorization).toBe('Bearer s3cret');
    expect(new URLSearchParams(request?.body).get('query')).toBe(QUERY);
  });

  it('keeps a path prefix and turns user:password in the URL into basic auth', async () => {
    const server = await fakePrometheus([ok(vector('1'))]);
    const url = new URL(server.url);
    url.pathname = '/prometheus/';
    url.username = 'reader';
    url.password = 'p@ss';
    await metrics(url.toString()).port.query('up');
    expect(server.received[0]?.path).toBe('/prometheus/api/v1/query');
    expect(server.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('reader:p@ss').toString('base64')}`);
  });

  it('falls back to GET when POST is not allowed, and stays on GET', async () => {
    const server = await fakePrometheus((r) => (r.method === 'POST' ? { status: 405, body: 'method not allowed' } : ok(vector('7'))));
    const { port } = metrics(server.url);
    expect(await port.query(QUERY)).toBe(7);
    expect(await port.query('up')).toBe(7);
    expect(server.received.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
    const get = new URL(server.received[1]?.path ?? '', server.url);
    expect(get.pathname).toBe('/api/v1/query');
    expect(get.searchParams.get('query')).toBe(QUERY);
  });

  it('rejects a URL that is not http(s) as input', () => {
    expect(() => createPrometheusMetrics({ url: 'prometheus:9090' })).toThrow(InputError);
    expect(() => createPrometheusMetrics({ url: 'not a url' })).toThrow('prometheus.url: "not a url" is not a URL');
  });
});

describe('createPrometheusMetrics: answers', () => {
  it.each<[string, unknown, number | undefined]>([
    ['a one-series vector', vector('99.5'), 99.5],
    ['a scalar', { status: 'success', data: { resultType: 'scalar', result: [1_764_000_000, '3.25'] } }, 3.25],
    ['an empty vector (no data)', vector(), undefined],
    // NaN and ±Inf are passed on as what they are, for the judgement to name (issue 13: never read as no data or 0).
    ['NaN (e.g. 0/0)', vector('NaN'), Number.NaN],
    ['+Inf (a p99 in the last bucket)', vector('+Inf'), Infinity],
    ['-Inf', vector('-Inf'), -Infinity],
  ])('reads %s', async (_, body, expected) => {
    const server = await fakePrometheus([ok(body)]);
    expect(await metrics(server.url).port.query(QUERY)).toBe(expected);
  });

  it('refuses several series: the query must aggregate', async () => {
    const server = await fakePrometheus([ok(vector('1', '2'))]);
    const error = await failure(metrics(server.url).port.query('istio_requests_total'));
    expect(error.message).toBe(
      `Prometheus at ${server.url} answered 2 series ({pod="p0"}, {pod="p1"}); the query must aggregate to one series, e.g. sum(...); query: istio_requests_total`,
    );
    expect(server.received).toHaveLength(1);
  });

  it('reads every series of a grouped query with its labels, NaN and ±Inf included', async () => {
    const server = await fakePrometheus([ok(vector('5', 'NaN', '-Inf'))]);
    expect(await metrics(server.url).port.vector('sum by (pod) (x)')).toEqual([
      { labels: { pod: 'p0' }, value: 5 },
      { labels: { pod: 'p1' }, value: Number.NaN },
      { labels: { pod: 'p2' }, value: -Infinity },
    ]);
  });

  it('reads an empty grouped answer as no series', async () => {
    const server = await fakePrometheus([ok(vector())]);
    expect(await metrics(server.url).port.vector('sum by (pod) (x)')).toEqual([]);
  });

  it('refuses a range vector', async () => {
    const server = await fakePrometheus([ok({ status: 'success', data: { resultType: 'matrix', result: [] } })]);
    expect((await failure(metrics(server.url).port.query('up[5m]'))).message).toContain('answered a matrix; the query must return an instant vector or a scalar');
  });
});

describe('createPrometheusMetrics: failures', () => {
  it('reports a bad query with the errorType and error of the body, without retrying', async () => {
    const body = { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected end of input' };
    const server = await fakePrometheus([{ status: 400, body }]);
    const error = await failure(metrics(server.url).port.query('sum('));
    expect(error.message).toBe(`Prometheus at ${server.url} answered HTTP 400 (bad_data): 1:5: parse error: unexpected end of input; query: sum(`);
    expect(server.received).toHaveLength(1);
  });

  it('retries 503 then succeeds, with backoff', async () => {
    const overloaded = { status: 503, body: { status: 'error', errorType: 'unavailable', error: 'too many queries' } };
    const server = await fakePrometheus([overloaded, ok(vector('5'))]);
    const { port, sleeps } = metrics(server.url);
    expect(await port.query(QUERY)).toBe(5);
    expect(server.received).toHaveLength(2);
    expect(sleeps).toEqual([10]);
  });

  it('honours Retry-After on 429', async () => {
    const server = await fakePrometheus([{ status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, ok(vector('5'))]);
    const { port, sleeps } = metrics(server.url);
    expect(await port.query(QUERY)).toBe(5);
    expect(sleeps).toEqual([2000]);
  });

  it('gives up after the configured attempts, doubling the delay', async () => {
    const server = await fakePrometheus([{ status: 502, body: '<html>bad gateway</html>' }]);
    const { port, sleeps } = metrics(server.url);
    const error = await failure(port.query(QUERY));
    expect(error.message).toBe(
      `Prometheus at ${server.url} answered HTTP 502 with something that is not Prometheus JSON (text/html) (after 3 attempts); query: ${QUERY}`,
    );
    expect(server.received).toHaveLength(3);
    expect(sleeps).toEqual([10, 20]);
  });

  it('times out a server that does not answer', async () => {
    const server = await fakePrometheus(['never']);
    // Long enough for each attempt to reach the server on a loaded machine (50 ms once lost one).
    const { port } = metrics(server.url, { timeoutMs: 1000, retry: { attempts: 2, baseDelayMs: 0 } });
    const error = await failure(port.query(QUERY));
    expect(error.message).toBe(`Prometheus at ${server.url} did not answer within 1000 ms (after 2 attempts); query: ${QUERY}`);
    expect(server.received).toHaveLength(2);
  });

  it('reports a refused connection', async () => {
    const server = await fakePrometheus([]);
    await server.close();
    const error = await failure(metrics(server.url).port.query(QUERY));
    expect(error.message).toMatch(new RegExp(`^Prometheus at ${server.url} could not be reached: .*ECONNREFUSED.* \\(after 3 attempts\\); query: `));
  });

  it('says which credentials to check on 401, and never shows the token or password', async () => {
    const server = await fakePrometheus([{ status: 401, body: 'unauthorized' }]);
    const url = new URL(server.url);
    url.username = 'reader';
    url.password = 'hunter2';
    const error = await failure(metrics(url.toString(), { bearerToken: 'tok-123' }).port.query(QUERY));
    expect(error.message).toContain('refused the request (HTTP 401); check the credentials');
    expect(error.message).not.toMatch(/tok-123|hunter2|reader/);
    expect(server.received).toHaveLength(1);
  });

  it('reports a 200 answer that is not Prometheus JSON', async () => {
    const server = await fakePrometheus([{ status: 200, body: '<html>login page</html>' }]);
    expect((await failure(metrics(server.url).port.query(QUERY))).message).toContain('answered with something that is not Prometheus JSON');
  });
});
