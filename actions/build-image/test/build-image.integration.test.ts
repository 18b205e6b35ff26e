/**
 * The bundled action, run as the runner runs it, building with buildah and
 * pushing to real docker-registry instances on loopback.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingVisible,
  runMain,
  runPost,
  type StepOptions,
  type StepResult,
} from '../../../test/harness/runner.js';
import { freePort, requireProgram, serviceUrl, uniqueName } from '../../../test/support/services.js';
import {
  type AuthRegistry,
  getConfig,
  getManifest,
  listTags,
  type RegistryClient,
  startAuthRegistry,
} from './support/registry.js';
import { makeWorkspace, requireBundle } from './support/workspace.js';

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53';
const PASSWORD = 'pa55-Word-that-must-not-leak';
const BUILD_ARG = 'build-arg-value-that-must-not-leak';

const pushToMain = {
  ref: 'refs/heads/main',
  after: SHA,
  repository: {
    name: 'service',
    html_url: 'https://github.com/glidepath-test/service',
    default_branch: 'main',
    description: 'A sample service',
    license: { spdx_id: 'MIT' },
    homepage: null,
  },
};

let workspace: string;
let scratch: string;
let registry: RegistryClient;

beforeAll(() => {
  requireBundle();
  requireProgram('buildah', 'buildah');
  registry = { host: serviceUrl('GLIDEPATH_REGISTRY') };
  workspace = makeWorkspace();
  scratch = mkdtempSync(path.join(tmpdir(), 'glidepath-build-cache-'));
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

function build(inputs: StepOptions['inputs'], options: Partial<StepOptions> = {}): Promise<StepResult> {
  return runMain({
    action: 'build-image',
    cwd: workspace,
    event: pushToMain,
    timeoutMs: 150_000,
    ...options,
    inputs: { context: 'app', ...inputs },
  });
}

function failure(result: StepResult): string {
  return `exit ${result.exitCode}\n${result.log.slice(-3000)}`;
}

describe('build and push with buildah', { timeout: 120_000 }, () => {
  const repository = `glidepath-test/${uniqueName('app').replace('_', '-')}`;
  const cacheDir = () => path.join(scratch, 'layers');
  const inputs = () => ({
    image: `${registry.host}/${repository}`,
    tags: 'extra-tag',
    labels: 'com.example.team=payments',
    'build-args': `GREETING=${BUILD_ARG}`,
    username: 'ci-user',
    password: PASSWORD,
    cache: 'local',
    'cache-dir': cacheDir(),
  });
  let first: StepResult;

  it('pushes every tag of a multi-stage build to the digest it outputs, labels in the config', async () => {
    const beforeBuild = Date.now();
    first = await build(inputs());
    const afterBuild = Date.now();
    expect(first.exitCode, failure(first)).toBe(0);
    const digest = first.outputs.digest!;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(first.outputs['image-ref']).toBe(`${registry.host}/${repository}@${digest}`);
    const tags = ['sha-ffac537', 'main', 'latest', 'extra-tag'];
    expect(first.outputs.tags!.split('\n')).toEqual(tags.map((t) => `${registry.host}/${repository}:${t}`));

    expect((await listTags(registry, repository))?.sort()).toEqual([...tags].sort());
    for (const tag of tags) {
      const manifest = await getManifest(registry, repository, tag);
      expect(manifest.status, tag).toBe(200);
      expect(manifest.digest, tag).toBe(digest);
    }
    const manifest = await getManifest(registry, repository, digest);
    const labels = (await getConfig(registry, repository, manifest.body)).config?.Labels ?? {};
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/glidepath-test/service',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'main',
      'org.opencontainers.image.description': 'A sample service',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.url': 'https://github.com/glidepath-test/service',
      // The Dockerfile's own labels are kept, its title included.
      'org.opencontainers.image.title': 'own title',
      'org.example.own': 'kept',
      'com.example.team': 'payments',
    });
    // Stamped by this build: between its start and its end (an ordering, at any speed).
    const created = Date.parse(labels['org.opencontainers.image.created']!);
    expect(created).toBeGreaterThanOrEqual(beforeBuild);
    expect(created).toBeLessThanOrEqual(afterBuild);

    const metadata = JSON.parse(first.outputs.metadata!);
    expect(metadata).toMatchObject({ digest, builder: 'buildah', pushed: true });
    expect(metadata.cache.steps.reused).toBe(0);
    expect(first.summary).toContain(digest);
    expect(first.summary).toContain('Cache');
    expect(first.summary).toMatch(/Size \| \d/);

    // The password and the build argument's value never leave the process.
    const visible = everythingVisible(first);
    expect(visible).not.toContain(PASSWORD);
    expect(visible).not.toContain(BUILD_ARG);
    // The credentials file went with main's scratch directory.
    expect(existsSync(path.join(first.files.dir, 'runner-temp'))).toBe(true);
    expect(
      readdirSync(path.join(first.files.dir, 'runner-temp')).filter((f) => f.startsWith('glidepath-build-')),
    ).toEqual([]);
  });

  const storeImages = () =>
    (
      JSON.parse(
        execFileSync(
          'buildah',
          ['--root', cacheDir(), '--storage-driver', 'vfs', 'images', '--all', '--json'],
          {
            encoding: 'utf8',
          },
        ),
      ) as unknown[]
    ).length;

  it('takes the unchanged steps of a second build from the local cache', async () => {
    expect(first?.exitCode).toBe(0);
    const imagesAfterFirst = storeImages();
    const second = await build(inputs());
    expect(second.exitCode, failure(second)).toBe(0);
    const before = JSON.parse(first.outputs.metadata!);
    const after = JSON.parse(second.outputs.metadata!);
    // Every step but the last (the labels, whose `created` changes) comes from the cache.
    expect(after.cache.steps.total).toBe(before.cache.steps.total);
    expect(after.cache.steps.reused).toBe(after.cache.steps.total - 1);
    expect(second.summary).toContain('partial hit');
    // The kept store does not grow: the first build's final image made way for the second's.
    expect(storeImages()).toBe(imagesAfterFirst);
    expect(imagesAfterFirst).toBeGreaterThan(1);
    console.log(`build+push cold ${before.buildMs} ms, warm ${after.buildMs} ms`);
  });
});

describe('failures', { timeout: 120_000 }, () => {
  it('turns a COPY of a missing file into an annotation at the Dockerfile line', async () => {
    const image = `${registry.host}/glidepath-test/broken`;
    const result = await build({ image, context: 'broken', cache: 'none' });
    expect(result.exitCode).toBe(1);
    const annotation = result.annotations.find((a) => a.level === 'error' && a.file);
    expect(annotation, failure(result)).toMatchObject({ file: 'broken/Dockerfile', line: 6 });
    expect(annotation!.message).toContain('missing.txt');
    expect(await listTags(registry, 'glidepath-test/broken')).toBeNull();
  });

  it.each([
    ['image', { image: `127.0.0.1:5000/Glidepath/App` }, 'lower-case'],
    ['platforms', { platforms: 'linux/amd65' }, 'os/arch'],
    ['tags', { tags: 'release candidate' }, 'tag name'],
  ])('rejects a bad %s before building anything', async (name, bad, expected) => {
    const cacheDir = path.join(scratch, `untouched-${name}`);
    const result = await build({
      image: `${registry.host}/glidepath-test/never`,
      cache: 'local',
      'cache-dir': cacheDir,
      ...bad,
    });
    expect(result.exitCode).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.message, failure(result)).toContain(`Input "${name}"`);
    expect(error?.message).toContain(expected);
    expect(result.log).not.toContain('STEP');
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('retries an unreachable registry, then fails naming it', async () => {
    const host = `127.0.0.1:${await freePort()}`;
    const result = await build({ image: `${host}/glidepath-test/app`, cache: 'none' });
    expect(result.exitCode).toBe(1);
    expect(result.log).toMatch(/Push to 127\.0\.0\.1:\d+ failed \(attempt 1 of 4\)/);
    expect(result.log).toMatch(/attempt 3 of 4/);
    const error = result.annotations.find((a) => a.level === 'error');
    expect(error?.message, failure(result)).toContain(`Could not push to registry ${host} after 4 attempts`);
    expect(error?.message).toContain('connection refused');
  });

  describe('a registry that requires a password', () => {
    let auth: AuthRegistry;
    beforeAll(async () => {
      auth = await startAuthRegistry('ci-user', 's3cret-Registry-Pa55');
    });
    afterAll(async () => {
      await auth?.stop();
    });

    it('says authentication failed for that registry, without the secret, on a wrong password', async () => {
      const wrong = 'wrong-Pa55word-not-to-print';
      const result = await build({
        image: `${auth.host}/glidepath-test/app`,
        username: 'ci-user',
        password: wrong,
        cache: 'none',
      });
      expect(result.exitCode).toBe(1);
      const error = result.annotations.find((a) => a.level === 'error');
      expect(error?.message, failure(result)).toContain(`Authentication failed for registry ${auth.host}`);
      // A 401 is not retried, and nothing was built.
      expect(result.log).not.toContain('retrying');
      expect(result.log).not.toContain('STEP');
      expect(everythingVisible(result)).not.toContain(wrong);
    });

    it('says the same when pushing without credentials', async () => {
      const result = await build({ image: `${auth.host}/glidepath-test/app`, cache: 'none' });
      expect(result.exitCode).toBe(1);
      const error = result.annotations.find((a) => a.level === 'error');
      expect(error?.message, failure(result)).toContain(`Authentication failed for registry ${auth.host}`);
    });

    it('logs in and pushes with the right password', async () => {
      const result = await build({
        image: `${auth.host}/glidepath-test/app`,
        username: auth.username,
        password: auth.password,
        cache: 'none',
      });
      expect(result.exitCode, failure(result)).toBe(0);
      const manifest = await getManifest(auth, 'glidepath-test/app', 'sha-ffac537');
      expect(manifest.digest).toBe(result.outputs.digest);
      expect(everythingVisible(result)).not.toContain(auth.password);
    });
  });
});

describe('multi-platform', { timeout: 120_000 }, () => {
  it('pushes one index holding every platform under every tag', async () => {
    const repository = `glidepath-test/${uniqueName('multi').replace('_', '-')}`;
    const result = await build({
      image: `${registry.host}/${repository}`,
      platforms: 'linux/amd64,linux/arm64',
      cache: 'none',
    });
    expect(result.exitCode, failure(result)).toBe(0);
    const digest = result.outputs.digest;
    for (const tag of ['sha-ffac537', 'main', 'latest']) {
      const index = await getManifest(registry, repository, tag);
      expect(index.digest, tag).toBe(digest);
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    }
    const index = await getManifest(registry, repository, digest!);
    const manifests = index.body.manifests as Array<{ digest: string; platform: { architecture: string } }>;
    expect(manifests.map((m) => m.platform.architecture).sort()).toEqual(['amd64', 'arm64']);
    for (const entry of manifests) {
      const manifest = await getManifest(registry, repository, entry.digest);
      const config = await getConfig(registry, repository, manifest.body);
      expect(config.architecture).toBe(entry.platform.architecture);
      expect(config.config?.Labels?.['org.opencontainers.image.revision']).toBe(SHA);
    }
  });
});

describe('build only', { timeout: 120_000 }, () => {
  it('builds without pushing when push is false', async () => {
    const repository = `glidepath-test/${uniqueName('local').replace('_', '-')}`;
    const result = await build({ image: `${registry.host}/${repository}`, push: false, cache: 'none' });
    expect(result.exitCode, failure(result)).toBe(0);
    expect(result.outputs.digest).toBe('');
    expect(result.outputs['image-id']).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(result.summary).toContain('not pushed');
    expect(await listTags(registry, repository)).toBeNull();
  });
});

describe('post step', { timeout: 120_000 }, () => {
  it('removes a credentials file and scratch space that a killed main left behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-post-'));
    const scratchDir = path.join(dir, 'glidepath-build-x');
    mkdirSync(scratchDir);
    const authFile = path.join(scratchDir, 'auth.json');
    writeFileSync(authFile, '{"auths":{}}');
    const main = {
      state: { isPost: 'true', authFile: JSON.stringify(authFile), scratch: JSON.stringify([scratchDir]) },
    } as unknown as StepResult;
    const post = await runPost(main, { action: 'build-image', cwd: workspace, inputs: { image: 'a/b' } });
    expect(post.exitCode, post.log).toBe(0);
    expect(existsSync(authFile)).toBe(false);
    expect(existsSync(scratchDir)).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
