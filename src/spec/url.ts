// A Prometheus URL may carry credentials (`https://user:password@host`, `?token=`), for instance when
// it comes from a secret input: no message may repeat them, even when the URL is malformed.

/** `text` with everything that could be a credential replaced by `***`: all before the last `@` of
 * the authority (a malformed URL may hold several, or a `/` in the password), and the query and
 * fragment. Works on text that does not parse as a URL. */
export function redactUrl(text: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  let rest = text.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = `***${rest.slice(at)}`;
  const query = rest.search(/[?#]/);
  if (query >= 0) rest = `${rest.slice(0, query + 1)}***`;
  return `${scheme}${rest}`;
}

/** Why `text` is not a usable Prometheus URL (in words that never repeat a credential), or undefined. */
export function prometheusUrlProblem(text: string): string | undefined {
  const example = 'expected e.g. http://prometheus.istio-system:9090';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(redactUrl(text))} is not a URL; ${example}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(redactUrl(text))} is not an http or https URL; ${example}`;
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    return `the user or password of ${JSON.stringify(redactUrl(text))} has a malformed %-escape; expected %XX with two hex digits`;
  }
  return undefined;
}
