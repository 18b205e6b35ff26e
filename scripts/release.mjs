#!/usr/bin/env node
// Cuts a release: `npm run release -- 1.2.0 [--push]`.
//
// 1. Refuses a version that is not X.Y.Z, a tag that exists, a dirty tree, a CHANGELOG.md
//    without a `## [X.Y.Z]` section, and a failing check (--check, default below).
// 2. Rebuilds every dist/ (--build), then, on a detached commit whose parent is the current
//    HEAD (main is never moved), rewrites every in-repository reference to this suite —
//    `uses: <owner>/<repo>/actions/<action>@…` and `…/.github/workflows/<workflow>@…` in the
//    workflows and the caller examples — to `<owner>/<repo>/…@vX.Y.Z`, so that
//    `deploy.yml@vX.Y.Z` runs exactly the actions of vX.Y.Z.
// 3. Commits that as the release commit, tags it `vX.Y.Z` (annotated, with the CHANGELOG
//    section as its message), and moves the major tag `vX` to it unless a newer vX.* exists.
// 4. With --push, pushes both tags to the remote (--remote, default origin); the major tag
//    is force-pushed, since moving it is its purpose.
//
// The owner and repository come from --repository, else GITHUB_REPOSITORY, else the remote's
// URL (its last two path segments), so a fork releases under its own name. The release notes
// are written to --notes-file when given (release.yml hands them to `gh release create`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const DEFAULT_CHECK = [
  'npm run build',
  'npm run lint',
  'node scripts/action-docs.mjs --check',
  'node scripts/analysis-schema.mjs --check',
  'node scripts/actionlint.mjs',
  'node scripts/workflow-parser.mjs',
].join(' && ');
const DEFAULT_BUILD = 'npm run bundle -- --force';

class ReleaseError extends Error {}

try {
  main();
} catch (error) {
  if (!(error instanceof ReleaseError)) throw error;
  console.error(`release: ${error.message}`);
  process.exit(1);
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      push: { type: 'boolean', default: false },
      remote: { type: 'string', default: 'origin' },
      repository: { type: 'string' },
      check: { type: 'string', default: DEFAULT_CHECK },
      build: { type: 'string', default: DEFAULT_BUILD },
      'notes-file': { type: 'string' },
    },
  });
  const version = parseVersion(positionals[0]);
  const tag = `v${version.text}`;
  const major = `v${version.major}`;
  const root = git(['rev-parse', '--show-toplevel']);
  process.chdir(root);

  const dirty = git(['status', '--porcelain', '--untracked-files=normal']);
  if (dirty)
    throw new ReleaseError(
      `the working tree is not clean; commit or stash first:\n${dirty.split('\n').slice(0, 10).join('\n')}`,
    );
  if (tagExists(tag)) throw new ReleaseError(`tag ${tag} exists already; a release is never re-cut.`);
  const repository = repositoryName(values.repository, values.remote);
  const notes = changelogSection(version.text);

  step(`checking (${values.check})`);
  shell(values.check, 'the check failed; nothing was released.');

  const base = git(['rev-parse', 'HEAD']);
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
  git(['checkout', '--quiet', '--detach', base]);
  try {
    step(`rebuilding (${values.build})`);
    shell(values.build, 'the rebuild failed; nothing was released.');
    const changed = rewriteReferences(repository, tag);
    git(['add', '--all']);
    git(['commit', '--quiet', '--allow-empty', '-m', `Release ${tag}`, '-m', notes]);
    git(['tag', '--annotate', tag, '-m', `${tag}\n\n${notes}`]);
    const movesMajor = isNewestOfMajor(version);
    if (movesMajor)
      git(['tag', '--force', '--annotate', major, '-m', `${major}: the newest ${major}.x, ${tag}`]);
    step(
      `${tag} is ${git(['rev-parse', '--short', 'HEAD'])} (parent ${base.slice(0, 7)}); ${changed} reference(s) now point at ${repository}@${tag}` +
        (movesMajor ? `; ${major} moved to it` : `; ${major} stays on a newer release`),
    );
    if (values['notes-file']) writeFileSync(values['notes-file'], `${notes}\n`);
    if (values.push) {
      git(['push', '--quiet', values.remote, `refs/tags/${tag}`]);
      if (movesMajor) git(['push', '--quiet', '--force', values.remote, `refs/tags/${major}`]);
      step(`pushed ${tag}${movesMajor ? ` and ${major}` : ''} to ${values.remote}`);
    }
  } finally {
    git(['checkout', '--quiet', branch === 'HEAD' ? base : branch]);
  }
}

function parseVersion(text) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text ?? '');
  if (!match)
    throw new ReleaseError(
      `version "${text ?? ''}" is not X.Y.Z (e.g. 1.2.0): usage: npm run release -- <version> [--push]`,
    );
  const [major, minor, patch] = match.slice(1).map(Number);
  return { text: `${major}.${minor}.${patch}`, major, minor, patch };
}

/** Whether no release of the same major is newer than this one (then `vX` moves to it). */
function isNewestOfMajor(version) {
  const tags = git(['tag', '--list', `v${version.major}.*`])
    .split('\n')
    .filter(Boolean);
  return tags.every((tag) => {
    const match = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
    if (!match) return true;
    const [, , minor, patch] = match.map(Number);
    return minor < version.minor || (minor === version.minor && patch <= version.patch);
  });
}

/** `owner/repo` this release is published under. */
function repositoryName(given, remote) {
  const name = given ?? process.env.GITHUB_REPOSITORY;
  if (name) {
    if (!/^[\w.-]+\/[\w.-]+$/.test(name)) throw new ReleaseError(`repository "${name}" is not owner/name.`);
    return name;
  }
  const url = spawnSync('git', ['remote', 'get-url', remote], { encoding: 'utf8' });
  if (url.status !== 0)
    throw new ReleaseError(`no remote "${remote}" and no GITHUB_REPOSITORY: say --repository owner/name.`);
  // https://github.com/o/r(.git), git@github.com:o/r.git, ssh://…/o/r.git, /srv/git/o/r.git
  const match = /[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url.stdout.trim());
  if (!match)
    throw new ReleaseError(`cannot read owner/name from ${remote}'s URL; say --repository owner/name.`);
  return `${match[1]}/${match[2]}`;
}

/** The `## [X.Y.Z]` section of CHANGELOG.md (Keep a Changelog), without its heading. */
function changelogSection(version) {
  if (!existsSync('CHANGELOG.md')) throw new ReleaseError('CHANGELOG.md is missing.');
  const lines = readFileSync('CHANGELOG.md', 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith(`## [${version}]`));
  if (start < 0)
    throw new ReleaseError(
      `CHANGELOG.md has no "## [${version}]" section: move the Unreleased notes under it and commit first.`,
    );
  const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((line) => !/^\[[^\]]+\]:\s/.test(line))
    .join('\n')
    .trim();
  if (!body) throw new ReleaseError(`CHANGELOG.md's section for ${version} is empty.`);
  return body;
}

/**
 * Points every reference to this suite's own actions and reusable workflows at `tag`, under
 * `repository`. Only the suite's paths are touched (`<o>/<r>/actions/<one of actions/>` and
 * `<o>/<r>/.github/workflows/<one of .github/workflows/>`); third-party actions keep their SHAs.
 */
function rewriteReferences(repository, tag) {
  const actions = readdirSync('actions').filter((name) =>
    existsSync(path.join('actions', name, 'action.yml')),
  );
  const workflows = readdirSync('.github/workflows').filter((f) => /\.ya?ml$/.test(f));
  const names = (list) => list.map((n) => n.replace(/[.]/g, '\\.')).join('|');
  const reference = new RegExp(
    `(uses:\\s*["']?)[\\w.-]+/[\\w.-]+/((?:actions/(?:${names(actions)})|\\.github/workflows/(?:${names(workflows)})))@[\\w./-]+`,
    'g',
  );
  const files = [
    ...workflows.map((f) => path.join('.github/workflows', f)),
    ...(existsSync('examples')
      ? readdirSync('examples', { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(path.join('examples', d.name, 'workflows')))
          .flatMap((d) =>
            readdirSync(path.join('examples', d.name, 'workflows'))
              .filter((f) => /\.ya?ml$/.test(f))
              .map((f) => path.join('examples', d.name, 'workflows', f)),
          )
      : []),
  ];
  let changed = 0;
  for (const file of files) {
    const before = readFileSync(file, 'utf8');
    const after = before.replace(reference, (_all, prefix, subpath) => {
      changed++;
      return `${prefix}${repository}/${subpath}@${tag}`;
    });
    if (after !== before) writeFileSync(file, after);
  }
  return changed;
}

function git(args) {
  const result = spawnSync('git', args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new ReleaseError(`git ${args.join(' ')} failed: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout.trim();
}

function tagExists(tag) {
  return spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`]).status === 0;
}

function shell(command, failure) {
  try {
    execFileSync('bash', ['-c', command], { stdio: 'inherit' });
  } catch {
    throw new ReleaseError(failure);
  }
}

function step(text) {
  console.log(`release: ${text}`);
}
