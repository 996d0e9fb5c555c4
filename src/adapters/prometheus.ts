// Prometheus HTTP API adapter: PromQL instant queries (`/api/v1/query`) as a MetricsPort.
// Every failure becomes a MetricsError naming the server (without credentials) and the query, so the
// engine fails the check. An empty answer is `undefined` (no data), which is not a failure; NaN and ±Inf
// are passed on as the numbers they are, for the judgement to name (never read as "no data" or 0).
import { InputError, MetricsError } from '../errors.ts';
import type { MetricsPort, Sample } from '../core/ports.ts';
import { redactUrl } from '../spec/url.ts';
import { RetriesExhausted, withRetries } from './retry.ts';

export interface PrometheusOptions {
  /** Base URL, e.g. http://prometheus.istio-system:9090 (a path prefix is kept; user:password@ becomes basic auth). */
  url: string;
  headers?: Record<string, string>;
  bearerToken?: string;
  /** Per request, default 10 s. */
  timeoutMs?: number;
  /** Attempts in all (default 3) for network errors, timeouts, 429 and 5xx; the delay doubles from baseDelayMs (default 500), or is the server's Retry-After when longer. */
  retry?: { attempts: number; baseDelayMs: number };
  fetch?: typeof fetch;
  /** Waits between attempts; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

interface Endpoint {
  /** Full URL of /api/v1/query, without credentials. */
  url: string;
  /** The base URL as shown in messages (no credentials, no query string). */
  shown: string;
  headers: Record<string, string>;
}

/** A failed attempt: `transient` ones are retried, after `retryAfterMs` when the server asked for it. */
class AttemptError extends Error {
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, transient: boolean, retryAfterMs?: number) {
    super(message);
    this.transient = transient;
    this.retryAfterMs = retryAfterMs;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY = { attempts: 3, baseDelayMs: 500 };
const MAX_RETRY_AFTER_MS = 60_000;

function endpointOf(options: PrometheusOptions): Endpoint {
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    throw new InputError({ path: 'prometheus.url', message: `${JSON.stringify(redactUrl(options.url))} is not a URL; expected e.g. http://prometheus.istio-system:9090` });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new InputError({ path: 'prometheus.url', message: `${base.protocol} is not supported; expected an http or https URL` });
  }
  const headers: Record<string, string> = { accept: 'application/json', ...lowercaseKeys(options.headers ?? {}) };
  if (base.username || base.password) {
    const userinfo = `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`;
    headers.authorization = `Basic ${Buffer.from(userinfo).toString('base64')}`;
    base.username = '';
    base.password = '';
  }
  if (options.bearerToken) headers.authorization = `Bearer ${options.bearerToken}`;
  const shown = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const url = new URL(base);
  url.pathname = `${base.pathname.replace(/\/+$/, '')}/api/v1/query`;
  return { url: url.toString(), shown, headers };
}

function lowercaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Why a connection failed, from Node's fetch error chain (e.g. "connect ECONNREFUSED 127.0.0.1:9090"). */
function networkCause(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.message ?? cause?.code ?? (error instanceof Error ? error.message : String(error));
}

interface PrometheusBody {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

async function readBody(response: Response): Promise<PrometheusBody | undefined> {
  const text = await response.text();
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? (body as PrometheusBody) : undefined;
  } catch {
    return undefined;
  }
}

function isTransientStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

function httpFailure(response: Response, body: PrometheusBody | undefined): AttemptError {
  const transient = isTransientStatus(response.status);
  if (body?.status === 'error') {
    return new AttemptError(`answered HTTP ${response.status} (${body.errorType ?? 'error'}): ${body.error ?? 'no message'}`, transient, retryAfterOf(response));
  }
  if (response.status === 401 || response.status === 403) {
    return new AttemptError(`refused the request (HTTP ${response.status}); check the credentials (headers or bearer token)`, false);
  }
  const kind = response.headers.get('content-type') ?? 'no content type';
  return new AttemptError(`answered HTTP ${response.status} with something that is not Prometheus JSON (${kind})`, transient, retryAfterOf(response));
}

function sampleValue(raw: unknown): number | undefined {
  if (!Array.isArray(raw) || typeof raw[1] !== 'string') throw new AttemptError('answered a sample that is not [time, "value"]', false);
  const text = raw[1];
  if (text === 'NaN') return Number.NaN;
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  if (Number.isNaN(value)) throw new AttemptError(`answered a sample value that is not a number: ${JSON.stringify(text)}`, false);
  return value;
}

function seriesLabels(series: unknown): string {
  const metric = (series as { metric?: Record<string, string> }).metric ?? {};
  return `{${Object.entries(metric).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}

/** The one number of an instant query's answer, or undefined for no data. */
function numberOf(data: PrometheusBody['data']): number | undefined {
  const result = data?.result;
  const type = data?.resultType;
  switch (type) {
    case 'scalar':
      return sampleValue(result);
    case 'vector': {
      if (!Array.isArray(result)) break;
      if (result.length === 0) return undefined;
      if (result.length > 1) {
        const shown = result.slice(0, 3).map(seriesLabels).join(', ');
        throw new AttemptError(
          `answered ${result.length} series (${shown}${result.length > 3 ? ', …' : ''}); the query must aggregate to one series, e.g. sum(...)`,
          false,
        );
      }
      return sampleValue((result[0] as { value?: unknown }).value);
    }
    case undefined:
      break;
    default:
      throw new AttemptError(`answered a ${type}; the query must return an instant vector or a scalar`, false);
  }
  throw new AttemptError('answered without a result', false);
}

/** Every series of an instant vector with its labels. */
function samplesOf(data: PrometheusBody['data']): Sample[] {
  const result = data?.result;
  if (data?.resultType === 'vector' && Array.isArray(result)) {
    return result.map((series) => {
      const metric = (series as { metric?: unknown }).metric;
      const labels = typeof metric === 'object' && metric !== null ? Object.fromEntries(Object.entries(metric).filter(([, v]) => typeof v === 'string')) : {};
      return { labels, value: sampleValue((series as { value?: unknown }).value) as number };
    });
  }
  if (data?.resultType === 'scalar') return [{ labels: {}, value: sampleValue(result) as number }];
  if (data?.resultType === undefined) throw new AttemptError('answered without a result', false);
  throw new AttemptError(`answered a ${data.resultType}; the query must return an instant vector or a scalar`, false);
}

export function createPrometheusMetrics(options: PrometheusOptions): MetricsPort {
  const endpoint = endpointOf(options);
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retry = options.retry ?? DEFAULT_RETRY;
  // Some gateways only allow GET; once POST is refused with 405, use GET for every later query.
  let method: 'POST' | 'GET' = 'POST';

  async function send(promql: string, time: number | undefined): Promise<Response> {
    const form = new URLSearchParams({ query: promql, ...(time !== undefined ? { time: (time / 1000).toFixed(3) } : {}) });
    const signal = AbortSignal.timeout(timeoutMs);
    if (method === 'GET') return doFetch(`${endpoint.url}${endpoint.url.includes('?') ? '&' : '?'}${form}`, { headers: endpoint.headers, signal });
    return doFetch(endpoint.url, {
      method: 'POST',
      headers: { ...endpoint.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      signal,
    });
  }

  /** One attempt: the value, or an AttemptError. */
  async function attempt<T>(promql: string, read: (data: PrometheusBody['data']) => T, time: number | undefined): Promise<T> {
    let response: Response;
    try {
      response = await send(promql, time);
      if (response.status === 405 && method === 'POST') {
        method = 'GET';
        response = await send(promql, time);
      }
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const message = timedOut ? `did not answer within ${timeoutMs} ms` : `could not be reached: ${networkCause(error)}`;
      throw new AttemptError(message, true);
    }
    const body = await readBody(response).catch(() => undefined);
    if (!response.ok || body?.status !== 'success') {
      if (response.ok && body === undefined) throw new AttemptError('answered with something that is not Prometheus JSON', false);
      throw httpFailure(response, body);
    }
    return read(body.data);
  }

  async function run<T>(promql: string, read: (data: PrometheusBody['data']) => T, time?: number): Promise<T> {
    let tried = 0;
    try {
      return await withRetries(
        () => {
          tried++;
          return attempt(promql, read, time);
        },
        {
          maxAttempts: Math.max(1, retry.attempts),
          baseDelayMs: retry.baseDelayMs,
          maxDelayMs: MAX_RETRY_AFTER_MS,
          jitter: false,
          isTransient: (e) => e instanceof AttemptError && e.transient,
          delayHintMs: (e) => (e instanceof AttemptError ? e.retryAfterMs : undefined),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        },
      );
    } catch (e) {
      const error = e instanceof RetriesExhausted ? e.lastError : e;
      const message = error instanceof Error ? error.message : String(error);
      const tries = tried > 1 ? ` (after ${tried} attempts)` : '';
      throw new MetricsError(`Prometheus at ${endpoint.shown} ${message}${tries}; query: ${promql}`);
    }
  }

  // `at`: the same queries evaluated at a past moment (Prometheus' `time` parameter), for re-judging a stage's past intervals.
  const port = (time?: number): MetricsPort => ({
    query: (promql: string) => run(promql, numberOf, time),
    vector: (promql: string) => run(promql, samplesOf, time),
    at: (past: number) => port(past),
  });
  return port();
}

/** Retry-After in seconds (429/503), as ms. */
function retryAfterOf(response: Response): number | undefined {
  const seconds = Number(response.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
