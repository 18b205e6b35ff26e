import { redact, resetSecretsForTest } from '@glidepath/core';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseUrlField, tlsOptions } from '../src/connection.js';

const parse = async (raw: string) => databaseUrlField().parse(raw);

afterEach(() => resetSecretsForTest());

describe('database-url', () => {
  it('reads PostgreSQL and MySQL URLs, with encoded passwords', async () => {
    const pg = await parse('postgresql://app:p%40ss%3Aword@db.internal:6543/shop?sslmode=verify-full');
    expect(pg).toMatchObject({
      ok: true,
      value: {
        kind: 'postgres',
        host: 'db.internal',
        port: 6543,
        user: 'app',
        password: 'p@ss:word',
        database: 'shop',
        sslMode: 'verify-full',
      },
    });
    expect(pg.ok && pg.value.display).toBe('postgresql://app:***@db.internal:6543/shop?sslmode=verify-full');
    const my = await parse('mariadb://app:secret@127.0.0.1/shop?ssl-mode=REQUIRED');
    expect(my).toMatchObject({ ok: true, value: { kind: 'mysql', port: 3306, sslMode: 'require' } });
  });

  it('masks the password even when the URL does not parse', async () => {
    const result = await parse('postgres://app:s3cret-pw@db:notaport/shop');
    expect(result.ok).toBe(false);
    expect(redact('postgres://app:s3cret-pw@db:notaport/shop')).not.toContain('s3cret-pw');
  });

  it.each([
    ['http://db/shop', /scheme http:/],
    ['postgres://app:pw@db:5432', /database name/],
    ['postgres://app:pw@db/shop?sslmode=prefer', /sslmode=prefer is not supported/],
    ['not a url', /a URL such as/],
    ['postgres://app:bad%ZZpw@db/shop', /percent-escape in it is not valid/],
  ])('rejects %s', async (raw, why) => {
    const result = await parse(raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.expected).toMatch(why);
  });
});

describe('tlsOptions', () => {
  it('follows libpq: require encrypts, verify-ca checks the chain, verify-full also the name', () => {
    expect(tlsOptions(undefined, undefined)).toBe(false);
    expect(tlsOptions('disable', undefined)).toBe(false);
    expect(tlsOptions('require', undefined)).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions('verify-full', 'PEM')).toEqual({ ca: 'PEM', rejectUnauthorized: true });
    const verifyCa = tlsOptions('verify-ca', 'PEM');
    if (!verifyCa) throw new Error('verify-ca must enable TLS');
    expect(verifyCa.rejectUnauthorized).toBe(true);
    expect(verifyCa.checkServerIdentity?.()).toBeUndefined();
    expect(tlsOptions(undefined, 'PEM')).toEqual({ ca: 'PEM', rejectUnauthorized: true });
  });
});
