import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/release.mjs end to end, against a bare git remote on disk: a copy of this
 * repository's own workflows, caller examples and action.yml files is released, and what
 * the remote then holds is read back with git.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.join(repoRoot, 'scripts/release.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'glidepath-release-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** git and the script with no user or system configuration, and no GITHUB_REPOSITORY of the CI run. */
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: scratch,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.test',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.test',
};

function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const CHANGELOG = `# Changelog

All notable changes are written here ([Keep a Changelog](https://keepachangelog.com/en/1.1.0/)).

## [Unreleased]

## [1.1.0] - 2026-12-04

### Added
- Something new.

## [1.0.1] - 2026-12-04

### Fixed
- A fix for 1.0.

## [1.0.0] - 2026-12-01

### Added
- The first release.

[1.1.0]: https://example.test/compare/v1.0.0...v1.1.0
`;

/** A working clone of a copy of this repository's workflows and actions, with `owner`'s bare remote as origin. */
function makeRepository(owner: string): { work: string; remote: string } {
  const base = mkdtempSync(path.join(scratch, 'repo-'));
  const remote = path.join(base, owner, 'glidepath.git');
  mkdirSync(remote, { recursive: true });
  git(remote, 'init', '--quiet', '--bare');
  const work = path.join(base, 'work');
  mkdirSync(work);
  git(work, 'init', '--quiet', '-b', 'main');
  cpSync(path.join(repoRoot, '.github/workflows'), path.join(work, '.github/workflows'), { recursive: true });
  cpSync(path.join(repoRoot, 'examples/callers/workflows'), path.join(work, 'examples/callers/workflows'), {
    recursive: true,
  });
  for (const action of readdirSync(path.join(repoRoot, 'actions'))) {
    mkdirSync(path.join(work, 'actions', action), { recursive: true });
    cpSync(
      path.join(repoRoot, 'actions', action, 'action.yml'),
      path.join(work, 'actions', action, 'action.yml'),
    );
  }
  writeFileSync(path.join(work, 'CHANGELOG.md'), CHANGELOG);
  git(work, 'add', '--all');
  git(work, 'commit', '--quiet', '-m', 'main');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '--quiet', 'origin', 'main');
  return { work, remote };
}

/** Stands in for `npm run bundle`: what it builds must land in the release commit, not on main. */
const BUILD =
  'mkdir -p actions/verify-health/dist && echo "built at $(git rev-parse --short HEAD)" > actions/verify-health/dist/index.js';

function release(work: string, version: string, ...extra: string[]) {
  const result = spawnSync(
    process.execPath,
    [script, version, '--push', '--check', 'true', '--build', BUILD, ...extra],
    { cwd: work, env, encoding: 'utf8' },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every reference to the suite's own actions and workflows in a file, as `owner/repo/path@ref`. */
function suiteReferences(text: string): string[] {
  return [
    ...text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+\/(?:actions\/[\w-]+|\.github\/workflows\/[\w.-]+)@\S+)/g),
  ].map((m) => m[1] as string);
}

/** The commit a tag on the remote points at. */
const tagged = (remote: string, tag: string) => git(remote, 'rev-parse', `${tag}^{commit}`);

describe('release', () => {
  const { work, remote } = makeRepository('glidepath-dev');
  const mainHead = git(work, 'rev-parse', 'HEAD');

  it('v1.0.0: tags v1.0.0 and v1 on a commit whose parent is main, with every reference at v1.0.0', () => {
    const result = release(work, '1.0.0');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(git(remote, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.0.0']);
    const commit = tagged(remote, 'v1.0.0');
    expect(tagged(remote, 'v1')).toBe(commit);
    expect(git(remote, 'rev-parse', `${commit}^`)).toBe(mainHead);

    for (const file of ['.github/workflows/deploy.yml', '.github/workflows/rollback.yml']) {
      const references = suiteReferences(git(remote, 'show', `v1.0.0:${file}`));
      expect(references.length, file).toBeGreaterThan(0);
      for (const reference of references)
        expect(reference).toMatch(/^glidepath-dev\/glidepath\/.+@v1\.0\.0$/);
    }
    const callers = suiteReferences(git(remote, 'show', 'v1.0.0:examples/callers/workflows/deploy.yml'));
    expect(callers).toContain('glidepath-dev/glidepath/.github/workflows/deploy.yml@v1.0.0');
    // Third-party actions keep their pinned SHAs.
    expect(git(remote, 'show', 'v1.0.0:.github/workflows/deploy.yml')).toMatch(
      /uses: actions\/checkout@[0-9a-f]{40}/,
    );
    // The rebuilt dist/ is in the release commit.
    expect(git(remote, 'show', 'v1.0.0:actions/verify-health/dist/index.js')).toMatch(/^built at/);
    // The tag carries the CHANGELOG section, headings included.
    const message = git(remote, 'tag', '--list', '--format=%(contents)', 'v1.0.0');
    expect(message).toContain('### Added\n- The first release.');
  });

  it('leaves main where it was, still on the major tag, and the working tree clean', () => {
    expect(git(work, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(work, 'rev-parse', 'HEAD')).toBe(mainHead);
    expect(git(remote, 'rev-parse', 'main')).toBe(mainHead);
    expect(git(work, 'status', '--porcelain')).toBe('');
    for (const reference of suiteReferences(git(work, 'show', 'HEAD:.github/workflows/deploy.yml')))
      expect(reference).toMatch(/@v1$/);
  });

  it('v1.1.0 moves v1; a later v1.0.1 does not move it back', () => {
    writeFileSync(path.join(work, 'NOTES.md'), 'work after 1.0.0\n');
    git(work, 'add', 'NOTES.md');
    git(work, 'commit', '--quiet', '-m', 'more');
    expect(release(work, 'v1.1.0').status).toBe(0);
    expect(tagged(remote, 'v1')).toBe(tagged(remote, 'v1.1.0'));
    expect(git(remote, 'rev-parse', 'v1.1.0^')).toBe(git(work, 'rev-parse', 'main'));
    for (const reference of suiteReferences(git(remote, 'show', 'v1.1.0:.github/workflows/rollback.yml')))
      expect(reference).toMatch(/@v1\.1\.0$/);

    const patch = release(work, '1.0.1');
    expect(patch.status).toBe(0);
    expect(patch.stdout).toContain('v1 stays on a newer release');
    expect(tagged(remote, 'v1')).toBe(tagged(remote, 'v1.1.0'));
  });

  it('refuses a dirty tree, a failing check, a re-cut tag, a missing CHANGELOG section and a bad version, tagging nothing', () => {
    const before = git(remote, 'tag', '--list');
    writeFileSync(path.join(work, 'stray.txt'), 'not committed\n');
    const dirty = release(work, '1.2.0');
    rmSync(path.join(work, 'stray.txt'));
    expect(dirty.status).toBe(1);
    expect(dirty.stderr).toContain('the working tree is not clean');
    expect(dirty.stderr).toContain('stray.txt');

    for (const bad of ['1.1.0-rc', '01.2.0', '1.2']) {
      const refused = release(work, bad);
      expect(refused.status, bad).toBe(1);
      expect(refused.stderr).toContain(`version "${bad}" is not X.Y.Z`);
    }

    writeFileSync(path.join(work, 'CHANGELOG.md'), `${CHANGELOG}\n## [1.2.0] - 2026-12-05\n\n- Next.\n`);
    git(work, 'commit', '--quiet', '-am', 'changelog for 1.2.0');
    const checkFails = release(work, '1.2.0', '--check', 'false');
    expect(checkFails.status).toBe(1);
    expect(checkFails.stderr).toContain('the check failed; nothing was released');

    const again = release(work, '1.1.0');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('tag v1.1.0 exists already');

    const unnoted = release(work, '1.3.0');
    expect(unnoted.status).toBe(1);
    expect(unnoted.stderr).toContain('CHANGELOG.md has no "## [1.3.0]" section');

    expect(git(remote, 'tag', '--list')).toBe(before);
    expect(git(work, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(work, 'status', '--porcelain')).toBe('');
  });

  it('a fork releases under its own owner, read from its remote', () => {
    const fork = makeRepository('someone-else');
    expect(release(fork.work, '1.0.0').status).toBe(0);
    const references = [
      ...suiteReferences(git(fork.remote, 'show', 'v1.0.0:.github/workflows/deploy.yml')),
      ...suiteReferences(git(fork.remote, 'show', 'v1.0.0:examples/callers/workflows/single-actions.yml')),
    ];
    expect(references.length).toBeGreaterThan(4);
    for (const reference of references) expect(reference).toMatch(/^someone-else\/glidepath\/.+@v1\.0\.0$/);
  });

  it('a stale clone cannot move v1 back to an older release: the remote tags decide', () => {
    const stale = path.join(scratch, 'stale');
    spawnSync('git', ['clone', '--quiet', '--branch', 'main', remote, stale], { env });
    git(stale, 'tag', '--delete', 'v1', 'v1.1.0', 'v1.0.1');
    writeFileSync(
      path.join(stale, 'CHANGELOG.md'),
      `${CHANGELOG}\n## [1.0.2] - 2026-12-05\n\n- Another 1.0 fix.\n`,
    );
    git(stale, 'commit', '--quiet', '-am', 'changelog for 1.0.2');
    const result = release(stale, '1.0.2');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('v1 stays on a newer release');
    expect(tagged(remote, 'v1')).toBe(tagged(remote, 'v1.1.0'));
  });

  it('a push the remote refuses leaves no tag behind, locally or there, and the release can run again', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    writeFileSync(
      path.join(bare, 'hooks', 'pre-receive'),
      '#!/bin/sh\necho "tags are frozen" >&2\nexit 1\n',
      {
        mode: 0o755,
      },
    );
    const refused = release(clone, '1.0.0');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('so nothing was pushed');
    expect(git(bare, 'tag', '--list')).toBe('');
    expect(git(clone, 'tag', '--list')).toBe('');
    expect(git(clone, 'status', '--porcelain')).toBe('');
    rmSync(path.join(bare, 'hooks', 'pre-receive'));
    expect(release(clone, '1.0.0').status).toBe(0);
    expect(git(bare, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.0.0']);
  });

  it('a failed rebuild leaves the branch where it was and the tree clean', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    const head = git(clone, 'rev-parse', 'HEAD');
    const failed = release(
      clone,
      '1.0.0',
      '--build',
      'echo half > half-built.txt && git add half-built.txt && exit 3',
    );
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('the rebuild failed');
    expect(git(clone, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git(clone, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(clone, 'status', '--porcelain')).toBe('');
    expect(git(bare, 'tag', '--list')).toBe('');
  });

  it('--push-only pushes the tags a run without --push made (release.yml pushes in its own step)', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    const local = spawnSync(process.execPath, [script, '1.0.0', '--check', 'true', '--build', BUILD], {
      cwd: clone,
      env,
      encoding: 'utf8',
    });
    expect(local.status).toBe(0);
    expect(git(bare, 'tag', '--list')).toBe('');
    const push = spawnSync(process.execPath, [script, '1.0.0', '--push-only'], {
      cwd: clone,
      env,
      encoding: 'utf8',
    });
    expect(push.stderr).toBe('');
    expect(push.status).toBe(0);
    expect(tagged(bare, 'v1')).toBe(tagged(bare, 'v1.0.0'));
  });

  it("leaves another repository's actions of the same names alone", () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    const file = path.join(clone, '.github/workflows/ci.yml');
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}\n# uses: other-org/tools/actions/rollback@v3 is theirs\n`,
    );
    writeFileSync(
      path.join(clone, 'examples/callers/workflows/other.yml'),
      'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: other-org/tools/actions/rollback@v3\n',
    );
    git(clone, 'add', '--all');
    git(clone, 'commit', '--quiet', '-m', 'a third-party action of the same name');
    expect(release(clone, '1.0.0').status).toBe(0);
    expect(git(bare, 'show', 'v1.0.0:examples/callers/workflows/other.yml')).toContain(
      'uses: other-org/tools/actions/rollback@v3',
    );
  });

  it('a release cut elsewhere while this one builds keeps v1: the remote is read again at the push', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    expect(release(clone, '1.0.0').status).toBe(0);
    const other = path.join(path.dirname(clone), 'other');
    git(path.dirname(clone), 'clone', '--quiet', '--branch', 'main', bare, other);
    // While this clone releases 1.0.1, the other one releases 1.1.0 (its check runs meanwhile).
    const meanwhile = `cd ${other} && ${process.execPath} ${script} 1.1.0 --push --check true --build true`;
    const result = release(clone, '1.0.1', '--check', meanwhile);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('has v1.1.0, newer than v1.0.1: v1 is not moved');
    expect(tagged(bare, 'v1')).toBe(tagged(bare, 'v1.1.0'));
    expect(git(bare, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.0.0', 'v1.0.1', 'v1.1.0']);
  });

  it('--push-only from a clone that never saw the newer release does not move v1 back', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    expect(release(clone, '1.1.0').status).toBe(0);
    git(clone, 'tag', '--delete', 'v1', 'v1.1.0');
    const local = spawnSync(process.execPath, [script, '1.0.1', '--check', 'true', '--build', BUILD], {
      cwd: clone,
      env,
      encoding: 'utf8',
    });
    expect(local.status).toBe(0);
    expect(local.stdout).toContain('v1 moved to it');
    const push = spawnSync(process.execPath, [script, '1.0.1', '--push-only'], {
      cwd: clone,
      env,
      encoding: 'utf8',
    });
    expect(push.status).toBe(0);
    expect(tagged(bare, 'v1')).toBe(tagged(bare, 'v1.1.0'));
    expect(tagged(bare, 'v1.0.1')).toBe(git(clone, 'rev-parse', 'v1.0.1^{commit}'));
  });

  it('a refused push puts the old major tag back as it was, annotated', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    expect(release(clone, '1.0.0').status).toBe(0);
    const before = git(clone, 'rev-parse', 'refs/tags/v1');
    writeFileSync(path.join(bare, 'hooks', 'pre-receive'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    expect(release(clone, '1.1.0').status).toBe(1);
    expect(git(clone, 'rev-parse', 'refs/tags/v1')).toBe(before);
    expect(git(clone, 'cat-file', '-t', 'refs/tags/v1')).toBe('tag');
    expect(git(clone, 'tag', '--list')).toBe('v1\nv1.0.0');
  });

  it('--bundle hands the release commit and tags to a clone that has only main, which pushes them', () => {
    const { work: clone, remote: bare } = makeRepository('glidepath-dev');
    const bundle = path.join(path.dirname(clone), 'release.bundle');
    const cut = spawnSync(
      process.execPath,
      [script, '1.0.0', '--check', 'true', '--build', BUILD, '--bundle', bundle],
      {
        cwd: clone,
        env,
        encoding: 'utf8',
      },
    );
    expect(cut.status).toBe(0);
    const pusher = path.join(path.dirname(clone), 'pusher');
    git(path.dirname(clone), 'clone', '--quiet', '--branch', 'main', bare, pusher);
    git(pusher, 'fetch', '--quiet', bundle, 'refs/tags/*:refs/tags/*');
    const push = spawnSync(process.execPath, [script, '1.0.0', '--push-only'], {
      cwd: pusher,
      env,
      encoding: 'utf8',
    });
    expect(push.status).toBe(0);
    expect(tagged(bare, 'v1.0.0')).toBe(git(clone, 'rev-parse', 'v1.0.0^{commit}'));
    expect(tagged(bare, 'v1')).toBe(tagged(bare, 'v1.0.0'));
  });
});
