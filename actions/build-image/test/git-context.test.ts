import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  computeLabels,
  computeTags,
  type GitContext,
  gitContextFrom,
  readGitContext,
} from '../src/git-context.js';

const SHA = 'ffac537e6cbbf934b08745a378932722df287a53';
const HEAD = '0123456789abcdef0123456789abcdef01234567';
const repository = { name: 'service', html_url: 'https://github.com/acme/service', default_branch: 'main' };

function env(eventName: string, ref: string): NodeJS.ProcessEnv {
  return {
    GITHUB_EVENT_NAME: eventName,
    GITHUB_REF: ref,
    GITHUB_SHA: SHA,
    GITHUB_REPOSITORY: 'acme/service',
  };
}

function tags(git: GitContext, extra: string[] = [], latest: 'auto' | 'true' | 'false' = 'auto'): string[] {
  return computeTags(git, { latest, defaultBranch: git.defaultBranch ?? 'main', extra });
}

describe('computeTags', () => {
  it.each([
    ['a push to the default branch', 'push', 'refs/heads/main', {}, ['sha-ffac537', 'main', 'latest']],
    ['a push to another branch', 'push', 'refs/heads/develop', {}, ['sha-ffac537', 'develop']],
    ['a branch with slashes', 'push', 'refs/heads/feature/login/ui', {}, ['sha-ffac537', 'feature-login-ui']],
    ['a release tag v1.2.3', 'push', 'refs/tags/v1.2.3', {}, ['sha-ffac537', '1.2.3', '1.2', '1']],
    ['a release tag without v', 'push', 'refs/tags/3.0.1', {}, ['sha-ffac537', '3.0.1', '3.0', '3']],
    ['a 0.x release', 'push', 'refs/tags/v0.4.2', {}, ['sha-ffac537', '0.4.2', '0.4']],
    ['a pre-release tag', 'push', 'refs/tags/v2.0.0-rc.1', {}, ['sha-ffac537', '2.0.0-rc.1']],
    ['build metadata', 'push', 'refs/tags/v1.0.0+build.7', {}, ['sha-ffac537', '1.0.0', '1.0', '1']],
    ['a non-semver tag', 'push', 'refs/tags/release/2024-05', {}, ['sha-ffac537', 'release-2024-05']],
    [
      'pull request #42 (head commit)',
      'pull_request',
      'refs/pull/42/merge',
      { number: 42, pull_request: { number: 42, head: { sha: HEAD } } },
      ['sha-0123456', 'pr-42'],
    ],
    [
      'pull_request_target #42 (the base is checked out)',
      'pull_request_target',
      'refs/heads/main',
      { number: 42, pull_request: { number: 42, head: { sha: HEAD } } },
      ['sha-ffac537', 'pr-42'],
    ],
    ['a manual run on main', 'workflow_dispatch', 'refs/heads/main', {}, ['sha-ffac537', 'main', 'latest']],
  ])('%s', (_name, eventName, ref, payload, expected) => {
    const git = gitContextFrom(env(eventName, ref), { repository, ...payload });
    expect(tags(git)).toEqual(expected);
  });

  it('follows the latest input and the default branch from the event', () => {
    const develop = gitContextFrom(env('push', 'refs/heads/develop'), {
      repository: { ...repository, default_branch: 'develop' },
    });
    expect(tags(develop)).toContain('latest');
    expect(tags(develop, [], 'false')).not.toContain('latest');
    const release = gitContextFrom(env('push', 'refs/tags/v1.2.3'), { repository });
    expect(tags(release, [], 'true')).toEqual(['sha-ffac537', '1.2.3', '1.2', '1', 'latest']);
  });

  it('adds the user tags once, after the computed ones', () => {
    const git = gitContextFrom(env('push', 'refs/heads/main'), { repository });
    expect(tags(git, ['stable', 'main', 'stable'])).toEqual(['sha-ffac537', 'main', 'latest', 'stable']);
  });
});

describe('readGitContext', () => {
  it('reads the event payload from GITHUB_EVENT_PATH like @actions/github', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-event-'));
    const eventPath = path.join(dir, 'event.json');
    writeFileSync(
      eventPath,
      JSON.stringify({
        number: 42,
        pull_request: { number: 42, head: { sha: HEAD } },
        repository: { ...repository, description: 'Payments', license: { spdx_id: 'Apache-2.0' } },
      }),
    );
    const git = readGitContext({
      ...env('pull_request', 'refs/pull/42/merge'),
      GITHUB_EVENT_PATH: eventPath,
    });
    expect(git).toMatchObject({
      sha: HEAD,
      prNumber: 42,
      defaultBranch: 'main',
      repositoryUrl: 'https://github.com/acme/service',
      description: 'Payments',
      license: 'Apache-2.0',
    });
  });

  it('falls back to the environment without a payload', () => {
    const git = readGitContext({
      ...env('push', 'refs/heads/main'),
      GITHUB_SERVER_URL: 'https://ghe.example.com',
    });
    expect(git).toMatchObject({
      sha: SHA,
      repositoryUrl: 'https://ghe.example.com/acme/service',
      repositoryName: 'service',
      defaultBranch: undefined,
    });
  });

  it('claims no licence GitHub could not identify', () => {
    const git = gitContextFrom(env('push', 'refs/heads/main'), {
      repository: { ...repository, license: { spdx_id: 'NOASSERTION' } },
    });
    expect(git.license).toBeUndefined();
  });
});

describe('computeLabels', () => {
  const git = gitContextFrom(env('push', 'refs/tags/v1.2.3'), {
    repository: {
      ...repository,
      description: 'Payments',
      license: { spdx_id: 'MIT' },
      homepage: 'https://acme.dev',
    },
  });
  const created = new Date('2026-01-02T03:04:05Z');

  it('fills the OCI labels from the repository and commit, created last', () => {
    const labels = computeLabels({
      git,
      tags: tags(git),
      created,
      dockerfileLabels: new Set(),
      user: new Map(),
    });
    expect([...labels]).toEqual([
      ['org.opencontainers.image.source', 'https://github.com/acme/service'],
      ['org.opencontainers.image.revision', SHA],
      ['org.opencontainers.image.version', '1.2.3'],
      ['org.opencontainers.image.title', 'service'],
      ['org.opencontainers.image.description', 'Payments'],
      ['org.opencontainers.image.licenses', 'MIT'],
      ['org.opencontainers.image.url', 'https://acme.dev'],
      ['org.opencontainers.image.created', '2026-01-02T03:04:05.000Z'],
    ]);
  });

  it("leaves descriptive labels the Dockerfile sets to it, and lets the user's labels win", () => {
    const labels = computeLabels({
      git,
      tags: tags(git),
      created,
      dockerfileLabels: new Set(['org.opencontainers.image.title', 'org.opencontainers.image.revision']),
      user: new Map([
        ['org.opencontainers.image.licenses', 'Apache-2.0'],
        ['team', 'payments'],
      ]),
    });
    expect(labels.has('org.opencontainers.image.title')).toBe(false);
    // The revision is a fact of this build: it is set whatever the Dockerfile says.
    expect(labels.get('org.opencontainers.image.revision')).toBe(SHA);
    expect(labels.get('org.opencontainers.image.licenses')).toBe('Apache-2.0');
    expect(labels.get('team')).toBe('payments');
  });

  it('uses the pull request as the version of a PR build', () => {
    const pr = gitContextFrom(env('pull_request', 'refs/pull/7/merge'), {
      repository,
      pull_request: { number: 7, head: { sha: HEAD } },
    });
    const labels = computeLabels({
      git: pr,
      tags: tags(pr),
      created,
      dockerfileLabels: new Set(),
      user: new Map(),
    });
    expect(labels.get('org.opencontainers.image.version')).toBe('pr-7');
    expect(labels.get('org.opencontainers.image.revision')).toBe(HEAD);
  });
});
