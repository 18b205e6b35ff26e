import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InputError } from '@glidepath/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkBuilderSupport, readContext, type Settings } from '../src/context.js';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'glidepath-context-'));
  mkdirSync(path.join(cwd, 'app'));
  writeFileSync(path.join(cwd, 'app/Dockerfile'), 'FROM scratch\n');
  writeFileSync(path.join(cwd, 'Containerfile'), 'FROM scratch\n');
});

const read = (inputs: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  readContext((name) => inputs[name] ?? '', { RUNNER_TEMP: '/runner/temp', ...env }, cwd);

async function problems(inputs: Record<string, string>): Promise<Array<{ input: string; expected: string }>> {
  const error = await read(inputs).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).problems;
}

describe('readContext', () => {
  it('reads the defaults', async () => {
    const settings = await read({ image: 'ghcr.io/acme/service', context: 'app' });
    expect(settings).toMatchObject({
      image: { name: 'ghcr.io/acme/service', registry: 'ghcr.io', repository: 'acme/service' },
      context: path.join(cwd, 'app'),
      file: path.join(cwd, 'app/Dockerfile'),
      fileForAnnotations: 'app/Dockerfile',
      push: true,
      builder: 'auto',
      cache: 'local',
      cacheDir: '/runner/temp/glidepath-build-cache',
      credentials: undefined,
      latest: 'auto',
      githubToken: undefined,
    });
  });

  it('reads lists, labels, build arguments and credentials', async () => {
    const settings = await read({
      image: 'ghcr.io/acme/service',
      file: 'Containerfile',
      tags: 'stable\nv2, edge',
      labels: 'team=payments\ntier=1',
      'build-args': 'NPM_TOKEN=abc=def',
      platforms: 'linux/amd64\nlinux/arm64',
      username: 'octo',
      password: 'pw-secret',
      // The runner expands this; a literal expression (a local run) means no token.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the point.
      'github-token': '${{ github.token }}',
    });
    expect(settings.file).toBe(path.join(cwd, 'Containerfile'));
    expect(settings.extraTags).toEqual(['stable', 'v2', 'edge']);
    expect([...settings.labels]).toEqual([
      ['team', 'payments'],
      ['tier', '1'],
    ]);
    expect(settings.buildArgs.get('NPM_TOKEN')).toBe('abc=def');
    expect(settings.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(settings.credentials).toEqual({ username: 'octo', password: 'pw-secret' });
    expect(settings.githubToken).toBeUndefined();
  });

  it('names every bad input at once, with the value and what is expected', async () => {
    const found = await problems({
      image: 'ghcr.io/Acme/Service',
      platforms: 'linux/amd64, linux/amd65',
      tags: 'release candidate',
      builder: 'kaniko',
      'build-args': '1BAD=x',
    });
    expect(found.map((p) => p.input).sort()).toEqual(['build-args', 'builder', 'image', 'platforms', 'tags']);
    expect(found.find((p) => p.input === 'platforms')!.expected).toContain('"linux/amd65" is not');
    expect(found.find((p) => p.input === 'tags')!.expected).toContain('"release candidate" is not');
  });

  it('checks the rules that span inputs', async () => {
    expect(await problems({ image: 'a/b', context: 'missing' })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ input: 'context' }),
        expect.objectContaining({ input: 'file' }),
      ]),
    );
    expect((await problems({ image: 'a/b', context: 'app', username: 'octo' }))[0]!.input).toBe('password');
    expect((await problems({ image: 'a/b', context: 'app', attest: 'true', push: 'false' }))[0]!.input).toBe(
      'attest',
    );
  });
});

describe('checkBuilderSupport', () => {
  it('refuses buildx-only features with buildah, naming the input', async () => {
    const settings: Settings = await read({
      image: 'a/b',
      context: 'app',
      cache: 'gha',
      sbom: 'true',
      provenance: 'mode=max',
    });
    const error = (() => {
      try {
        checkBuilderSupport(settings, 'buildah');
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(error?.problems.map((p) => p.input)).toEqual(['cache', 'provenance', 'sbom']);
    expect(error?.problems[0]?.expected).toContain('auto (resolved to buildah)');
    expect(() => checkBuilderSupport(settings, 'docker')).not.toThrow();
  });
});
