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

/** The parts of a URL's text that are credentials, to mask in a log: the userinfo (whole, and its
 * password as written and decoded), the query and fragment (whole, and each query value of 3 or more
 * characters: shorter ones would mask ordinary text). Also for text that does not parse. */
export function urlCredentials(text: string): string[] {
  const found = new Set<string>();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at > 0) {
    const userinfo = rest.slice(0, at);
    found.add(userinfo);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) found.add(userinfo.slice(colon + 1));
  }
  const query = rest.slice(at + 1).search(/[?#]/);
  if (query >= 0) found.add(rest.slice(at + 1 + query + 1));
  try {
    // As parsed too: the parser drops tabs and line breaks, and decodes nothing by itself.
    const url = new URL(text);
    if (url.password) found.add(url.password).add(safeDecode(url.password));
    if (url.search.length > 1) found.add(url.search.slice(1));
    for (const value of url.searchParams.values()) found.add(value);
  } catch {
    // the raw parts above are all there is
  }
  return [...found].filter((s) => s.trim().length >= 3);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
