import { describe, expect, it } from 'vitest';
import { isPlatform, parseImageName, sanitizeTag, TAG } from '../src/reference.js';

describe('parseImageName', () => {
  it.each([
    ['ghcr.io/acme/service', 'ghcr.io', 'acme/service'],
    ['127.0.0.1:55000/glidepath/app', '127.0.0.1:55000', 'glidepath/app'],
    ['localhost/app', 'localhost', 'app'],
    ['acme/service', 'docker.io', 'acme/service'],
    ['registry.example.com:5000/a/b/c-d__e.f', 'registry.example.com:5000', 'a/b/c-d__e.f'],
  ])('reads %s', (text, registry, repository) => {
    expect(parseImageName(text)).toEqual({ ok: true, value: { name: text, registry, repository } });
  });

  it.each([
    ['ghcr.io/Acme/service', /lower-case/],
    ['MyOrg/app', /lower-case/],
    ['ghcr.io/acme/service:v1', /without a tag/],
    ['ghcr.io/acme/service@sha256:abc', /without a digest/],
    ['ghcr.io/acme//service', /path components/],
    ['ghcr.io/acme/-service', /path components/],
    ['bad_host.io:x/app', /registry host/],
    [`ghcr.io/${'a'.repeat(260)}`, /at most 255/],
  ])('rejects %s', (text, problem) => {
    const parsed = parseImageName(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});

describe('tags and platforms', () => {
  it('sanitises a branch name into a valid tag', () => {
    expect(sanitizeTag('feature/JIRA-12_new thing')).toBe('feature-JIRA-12_new-thing');
    expect(sanitizeTag('-.hidden')).toBe('hidden');
    expect(sanitizeTag('x'.repeat(200))).toHaveLength(128);
    for (const text of ['feature/a', '--x', 'ü/a', 'a b c']) expect(sanitizeTag(text)).toMatch(TAG);
    // Nothing of the name survives: no tag rather than an invalid one (computeTags drops it).
    expect(sanitizeTag('ü/ö')).toBe('');
  });

  it.each(['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'windows/amd64', 'linux/amd64/v3'])(
    'accepts %s',
    (p) => expect(isPlatform(p)).toBe(true),
  );
  it.each(['linux', 'linux/amd65', 'Linux/amd64', 'linux/arm/7', 'linux/arm/v7/x', 'amd64/linux'])(
    'rejects %s',
    (p) => expect(isPlatform(p)).toBe(false),
  );
});
