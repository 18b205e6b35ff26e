import { addMask } from './runner.js';

/**
 * Everything about secrets in one place: what counts as one, registering it,
 * and keeping it out of what we write.
 *
 * The runner masks what we register with `add-mask` in its own log, but our
 * outputs, state, summaries and error messages are produced by us, so we
 * redact them ourselves too. Every secret value the action has seen is here.
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const trimmed = value.trim();
  // Masking a one-character value would blank the whole log; the runner refuses
  // those too. Such a value is not a secret worth the name anyway.
  if (trimmed.length < 3) return;
  if (!secrets.has(trimmed)) {
    secrets.add(trimmed);
    addMask(trimmed);
  }
  // A URL-encoded form shows up in connection strings.
  const encoded = encodeURIComponent(trimmed);
  if (encoded !== trimmed && !secrets.has(encoded)) {
    secrets.add(encoded);
    addMask(encoded);
  }
}

/** Environment variables that hold a secret the action read (a provider's token): kept from child processes. */
const secretVariables = new Set<string>();

export function registerSecretVariable(name: string): void {
  secretVariables.add(name);
}

export function isSecretVariable(name: string): boolean {
  return secretVariables.has(name);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('***');
  return out;
}

export function containsSecret(text: string): boolean {
  for (const secret of secrets) if (text.includes(secret)) return true;
  return false;
}

/** For tests: forget registered secrets between cases in one process. */
export function resetSecretsForTest(): void {
  secrets.clear();
  secretVariables.clear();
}

/**
 * Request headers whose values are not secret. Every other header a user
 * gives (in `checks`, a provider's settings) is treated as a credential:
 * names such as `X-Custom-Auth` or `Authentication` are too varied to
 * recognise, so the short list of harmless ones is what is named.
 */
const PUBLIC_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'content-type',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'origin',
  'pragma',
  'referer',
  'traceparent',
  'tracestate',
  'user-agent',
  'x-correlation-id',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-request-id',
]);

/** Whether a request header's value is to be kept secret: every header not on the public list. */
export function isSecretHeader(name: string): boolean {
  return !PUBLIC_HEADERS.has(name.trim().toLowerCase());
}

/**
 * Names of query parameters and settings that hold credentials
 * (`?api_key=…`, `?token=…`, `X-Amz-Signature`). Unlike headers, most query
 * parameters are harmless (`?page=2`), so here the credential-like names are
 * the ones named.
 */
export function isCredentialName(name: string): boolean {
  return /auth|cookie|token|secret|password|passwd|api[-_]?key|(^|[-_])key$|session|credential|signature|(^|[-_])(sig|pwd|pass|jwt)$/i.test(
    name,
  );
}

/**
 * Registers the credentials a URL carries: its password, and its user name
 * when that is where the token is (`https://TOKEN@host`,
 * `https://TOKEN:x-oauth-basic@host`, or a name as long as a token), and
 * query parameters named like credentials; each both as written in the URL
 * and decoded, since either form may reach a log.
 */
export function registerUrlSecrets(url: URL): void {
  const both = (text: string) => {
    registerSecret(text);
    registerSecret(decoded(text));
  };
  if (url.password) both(url.password);
  if (url.username && (!url.password || url.password === 'x-oauth-basic' || url.username.length >= 20))
    both(url.username);
  for (const [name, value] of url.searchParams) if (isCredentialName(name)) registerSecret(value);
  for (const pair of url.search.slice(1).split('&')) {
    const [name = '', value = ''] = pair.split('=', 2);
    if (value && isCredentialName(decoded(name))) both(value);
  }
}

/** Percent-decoding that keeps a malformed escape (`%zz`) as written instead of throwing. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A URL as it may be shown: without user name and password, and with the
 * values of query parameters named like credentials replaced.
 */
export function displayUrl(url: URL): string {
  const hidden = [...url.searchParams.keys()].some(isCredentialName);
  if (!url.username && !url.password && !hidden) return url.href;
  if (!hidden) {
    const copy = new URL(url.href);
    copy.username = '';
    copy.password = '';
    return copy.href;
  }
  // Rebuilt by hand: URLSearchParams would percent-encode the asterisks.
  const query = [...url.searchParams]
    .map(
      ([name, value]) =>
        `${encodeURIComponent(name)}=${isCredentialName(name) ? '***' : encodeURIComponent(value)}`,
    )
    .join('&');
  return `${url.origin}${url.pathname}?${query}${url.hash}`;
}

/**
 * Hides credentials a quoted input value may carry even when the input is not
 * declared secret: the user information of a URL (`postgres://u:pw@h`,
 * `https://TOKEN@h`), a credential query parameter (`?token=…`), and the
 * value of a credential-looking header or setting (`Authorization: Bearer …`).
 */
export function maskCredentials(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@')
    .replace(
      /([?&][^\s=&#]*(?:auth|token|secret|password|passwd|key|session|credential|signature|sig)[^\s=&#]*=)[^\s&#]+/gi,
      '$1***',
    )
    .replace(
      /((?:authorization|authentication|cookie|token|password|passwd|secret|api[-_]?key)["']?\s*[:=]\s*)[^\s,;}&]+(?:[ \t]+[^\s,;}&]+)?/gi,
      '$1***',
    );
}

/** A credential in kubeconfig YAML (`token: abc`) or JSON (`"token": "abc"`); group 1 is the value. */
const KUBECONFIG_CREDENTIAL =
  /["']?\b(?:token|password|client-key-data|client-certificate-data|id-token|refresh-token|access-token|client-secret)["']?\s*:\s*["']?([^"'\s,}]+)/g;

/**
 * Registers an inline kubeconfig whole, and each credential in it on its
 * own, so a fragment that reaches a log (an error from the client quoting a
 * token) is masked as well. Masking every line would blank harmless text
 * such as "kind: Config" everywhere.
 */
export function registerKubeconfigSecrets(content: string): void {
  registerSecret(content);
  for (const match of content.matchAll(KUBECONFIG_CREDENTIAL)) registerSecret(match[1]);
}

/**
 * The headers that may follow a redirect to `next` from `current`: all of
 * them on the same origin; on another origin only the public ones, as
 * browsers and curl drop `Authorization` and cookies there, so a redirect
 * cannot hand a credential to a host it was not meant for.
 */
export function headersForRedirect(
  headers: Readonly<Record<string, string>>,
  current: URL,
  next: URL,
): Record<string, string> {
  if (current.origin === next.origin) return { ...headers };
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isSecretHeader(name)));
}
