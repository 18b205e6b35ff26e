import * as core from '@actions/core';

/**
 * Every secret value the action has seen. The runner masks what we register with
 * `add-mask` in its own log, but our outputs, state, summaries and error messages
 * are produced by us, so we redact them ourselves too.
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
    core.setSecret(trimmed);
  }
  // A URL-encoded form shows up in connection strings.
  const encoded = encodeURIComponent(trimmed);
  if (encoded !== trimmed && !secrets.has(encoded)) {
    secrets.add(encoded);
    core.setSecret(encoded);
  }
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
}
