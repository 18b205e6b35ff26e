import { readFileSync } from 'node:fs';
import { type Field, registerSecret } from '@glidepath/core';

/** TLS as libpq's `sslmode` names it; MySQL's `ssl-mode` values map onto the same names. */
export type SslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

/** Where to connect, parsed from `database-url` once, before anything connects. */
export interface DatabaseTarget {
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  sslMode: SslMode | undefined;
  /** The URL exactly as given, for `engine: command` tools (it holds the password: never log it). */
  url: string;
  /** The URL with the password replaced by `***`, for messages. */
  display: string;
}

const PROTOCOLS: Record<string, DatabaseTarget['kind']> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

const SSL_MODES: Record<string, SslMode | 'unsupported'> = {
  disable: 'disable',
  disabled: 'disable',
  require: 'require',
  required: 'require',
  'verify-ca': 'verify-ca',
  verify_ca: 'verify-ca',
  'verify-full': 'verify-full',
  verify_identity: 'verify-full',
  prefer: 'unsupported',
  preferred: 'unsupported',
  allow: 'unsupported',
};

const EXPECTED =
  'a URL such as postgres://user:password@host:5432/db or mysql://user:password@host:3306/db (mariadb:// and postgresql:// too), with an optional ?sslmode=disable|require|verify-ca|verify-full';

/**
 * The `database-url` input. The password is registered with the runner's
 * masker before anything else happens — even when the URL does not parse —
 * so no message, annotation or log line can show it.
 */
export function databaseUrlField(): Field<DatabaseTarget> {
  return {
    parse: (raw) => {
      const text = raw.trim();
      registerPassword(text);
      if (text === '') return { ok: false, expected: `${EXPECTED} (this input is required)` };
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return { ok: false, expected: EXPECTED };
      }
      const kind = PROTOCOLS[url.protocol];
      if (!kind)
        return { ok: false, expected: `${EXPECTED}; the scheme ${url.protocol}// is not one of them` };
      const hostParam = url.searchParams.get('host');
      if (!url.hostname && !hostParam) return { ok: false, expected: `${EXPECTED}; the host is missing` };
      const decode = (part: string) => {
        try {
          return decodeURIComponent(part);
        } catch {
          return undefined;
        }
      };
      const database = decode(url.pathname.replace(/^\//, ''));
      const password = decode(url.password);
      const user = decode(url.username);
      if (database === undefined || password === undefined || user === undefined)
        return {
          ok: false,
          expected: `${EXPECTED}; a percent-escape in it is not valid (%XX with two hex digits)`,
        };
      if (!database || database.includes('/'))
        return { ok: false, expected: `${EXPECTED}; the database name (the path) is missing` };
      const rawMode = (url.searchParams.get('sslmode') ?? url.searchParams.get('ssl-mode'))?.toLowerCase();
      const mode = rawMode === undefined ? undefined : SSL_MODES[rawMode];
      if (rawMode !== undefined && (mode === undefined || mode === 'unsupported'))
        return {
          ok: false,
          expected: `${EXPECTED}; sslmode=${rawMode} is not supported (a fallback to plain text is not a TLS setting: use disable, require, verify-ca or verify-full)`,
        };
      const display = url.password ? text.replace(`:${url.password}@`, ':***@') : text;
      return {
        ok: true,
        value: {
          kind,
          host: hostParam ?? url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port ? Number(url.port) : kind === 'postgres' ? 5432 : 3306,
          user,
          password,
          database,
          sslMode: mode as SslMode | undefined,
          url: text,
          display,
        },
      };
    },
  };
}

/** Finds the password even in a URL the parser rejects (`user:pa ss@host:port`), and masks it. */
function registerPassword(text: string): void {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/]*:(.*)@/s.exec(text);
  const password = match?.[1];
  if (!password) return;
  registerSecret(password);
  try {
    registerSecret(decodeURIComponent(password));
  } catch {
    // Not valid percent-encoding: the raw form is registered already.
  }
}

/** The CA for `ssl-ca`: PEM text as given, or the contents of the file it names. */
export function readCa(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

/**
 * Node's TLS options for a mode, libpq's meaning kept: `require` encrypts
 * without checking the certificate (unless a CA is given, which makes it
 * verify-ca, as libpq does), `verify-ca` checks the chain, `verify-full` also
 * the host name. Without a mode, a CA alone asks for verify-full.
 */
export function tlsOptions(
  mode: SslMode | undefined,
  ca: string | undefined,
): false | { ca?: string; rejectUnauthorized: boolean; checkServerIdentity?: () => undefined } {
  const effective = mode ?? (ca ? 'verify-full' : 'disable');
  switch (effective) {
    case 'disable':
      return false;
    case 'require':
      return ca
        ? { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { rejectUnauthorized: false };
    case 'verify-ca':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...(ca ? { ca } : {}), rejectUnauthorized: true };
  }
}
