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
// 4. With --push, fetches the remote's tags first (a stale clone cannot move vX back), then
//    pushes both tags to the remote (--remote, default origin) in one atomic push, the major
//    tag forced only over what the remote held (a lease). `--push-only X.Y.Z` pushes the tags
//    an earlier run without --push made: release.yml builds with no write token, then pushes
//    in a job that runs no npm (`--bundle FILE` hands it the release commit and tags).
//
// A failure before the commit puts the tree back as it was (it was clean) and the branch
// where it was; a failed push deletes the tags it made, so the release can simply be run again.
//
// The owner and repository come from --repository, else GITHUB_REPOSITORY, else the remote's
// URL (its last two path segments), so a fork releases under its own name. The release notes
// are written to --notes-file when given (release.yml hands them to `gh release create`).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { workflowFiles } from './workflow-files.mjs';

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
      'push-only': { type: 'boolean', default: false },
      bundle: { type: 'string' },
    },
  });
  const version = parseVersion(positionals[0]);
  const tag = `v${version.text}`;
  const major = `v${version.major}`;
  const root = git(['rev-parse', '--show-toplevel']);
  process.chdir(root);
  if (values['push-only']) {
    if (tagCommit(tag) === undefined)
      throw new ReleaseError(`there is no tag ${tag} to push: run the release without --push-only first.`);
    pushTags(values.remote, tag, major);
    return;
  }

  const dirty = git(['status', '--porcelain', '--untracked-files=normal']);
  if (dirty)
    throw new ReleaseError(
      `the working tree is not clean; commit or stash first:\n${dirty.split('\n').slice(0, 10).join('\n')}`,
    );
  // The remote's tags decide whether this version exists and whether vX moves, so a stale
  // clone can neither re-cut a release nor move vX back to an older one.
  if (values.push) fetchTags(values.remote);
  if (tagCommit(tag) !== undefined)
    throw new ReleaseError(`tag ${tag} exists already; a release is never re-cut.`);
  const repository = repositoryName(values.repository, values.remote);
  const notes = changelogSection(version.text);

  step(`checking (${values.check})`);
  shell(values.check, 'the check failed; nothing was released.');

  const base = git(['rev-parse', 'HEAD']);
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']);
  // The major tag's own object (an annotated tag), to put back exactly if the push fails.
  const majorBefore = tagObject(major);
  git(['checkout', '--quiet', '--detach', base]);
  let committed = false;
  try {
    step(`rebuilding (${values.build})`);
    shell(values.build, 'the rebuild failed; nothing was released.');
    const changed = rewriteReferences(repository, tag);
    git(['add', '--all']);
    git(['commit', '--quiet', '--cleanup=verbatim', '--allow-empty', '-m', `Release ${tag}\n\n${notes}`]);
    committed = true;
    git(['tag', '--cleanup=verbatim', '--annotate', tag, '-m', `${tag}\n\n${notes}`]);
    const movesMajor = isNewestOfMajor(version);
    if (movesMajor)
      git([
        'tag',
        '--force',
        '--cleanup=verbatim',
        '--annotate',
        major,
        '-m',
        `${major}: the newest ${major}.x, ${tag}`,
      ]);
    step(
      `${tag} is ${git(['rev-parse', '--short', 'HEAD'])} (parent ${base.slice(0, 7)}); ${changed} reference(s) now point at ${repository}@${tag}` +
        (movesMajor ? `; ${major} moved to it` : `; ${major} stays on a newer release`),
    );
    if (values['notes-file']) writeFileSync(values['notes-file'], `${notes}\n`);
    // For a push from elsewhere (release.yml's push job): the release commit and its tags,
    // on top of the commit it was cut from.
    if (values.bundle)
      git([
        'bundle',
        'create',
        path.resolve(root, values.bundle),
        `refs/tags/${tag}`,
        ...(movesMajor ? [`refs/tags/${major}`] : []),
        `^${base}`,
      ]);
    if (values.push) {
      try {
        pushTags(values.remote, tag, major);
      } catch (error) {
        // Nothing half-made stays behind: the same release can be run again.
        spawnSync('git', ['tag', '--delete', tag], { stdio: 'ignore' });
        if (majorBefore)
          spawnSync('git', ['update-ref', `refs/tags/${major}`, majorBefore], { stdio: 'ignore' });
        else spawnSync('git', ['tag', '--delete', major], { stdio: 'ignore' });
        throw error;
      }
    }
  } finally {
    // Before the commit, the tree holds the rebuild and the rewritten references: they go,
    // since the tree was clean when the release began (ignored files such as node_modules stay).
    if (!committed) {
      spawnSync('git', ['reset', '--quiet', '--hard', base], { stdio: 'ignore' });
      spawnSync('git', ['clean', '--quiet', '-d', '--force'], { stdio: 'ignore' });
    }
    git(['checkout', '--quiet', branch === 'HEAD' ? base : branch]);
  }
}

/** The object a tag ref names (the annotated tag itself), or undefined. */
function tagObject(tag) {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}`], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The commit a tag points at, or undefined when there is no such tag. */
function tagCommit(tag) {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function fetchTags(remote) {
  const fetched = spawnSync('git', ['fetch', '--quiet', '--tags', '--force', remote], { encoding: 'utf8' });
  if (fetched.status !== 0)
    throw new ReleaseError(
      `could not fetch the tags of ${remote} (${fetched.stderr.trim()}); nothing was released.`,
    );
}

/**
 * Pushes the version tag, and the major tag when it points at the same commit, in one
 * atomic push: both land or neither. What the remote holds at this moment decides: the major
 * tag is not moved when the remote has a newer release of that major (a clone that did not
 * know it, or a release cut while this one built), and it is replaced only over the very
 * object read here (`--force-with-lease`, no `+`, which would override the lease).
 */
function pushTags(remote, tag, major) {
  const listed = spawnSync('git', ['ls-remote', '--tags', remote], { encoding: 'utf8' });
  if (listed.status !== 0)
    throw new ReleaseError(`could not read ${remote}'s tags (${listed.stderr.trim()}); nothing was pushed.`);
  const remoteTags = new Map(
    listed.stdout
      .split('\n')
      .filter((line) => line && !line.endsWith('^{}'))
      .map((line) => {
        const [object, ref] = line.split('\t');
        return [ref.replace(/^refs\/tags\//, ''), object];
      }),
  );
  const version = parseVersion(tag);
  const newer = newerOfMajor([...remoteTags.keys()], version);
  const majorOnThisRelease = tagCommit(major) !== undefined && tagCommit(major) === tagCommit(tag);
  const movesMajor = newer.length === 0 && majorOnThisRelease;
  if (newer.length && majorOnThisRelease)
    step(`${remote} has ${newer.sort().join(', ')}, newer than ${tag}: ${major} is not moved`);
  const refs = [`refs/tags/${tag}`, ...(movesMajor ? [`refs/tags/${major}`] : [])];
  const lease = movesMajor ? [`--force-with-lease=refs/tags/${major}:${remoteTags.get(major) ?? ''}`] : [];
  const pushed = spawnSync('git', ['push', '--quiet', '--atomic', ...lease, remote, ...refs], {
    encoding: 'utf8',
  });
  if (pushed.status !== 0)
    throw new ReleaseError(
      `pushing ${refs.join(' ')} to ${remote} failed, so nothing was pushed: ${pushed.stderr.trim()}`,
    );
  step(`pushed ${tag}${movesMajor ? ` and ${major}` : ''} to ${remote}`);
}

function parseVersion(text) {
  const match = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text ?? '');
  if (!match)
    throw new ReleaseError(
      `version "${text ?? ''}" is not X.Y.Z without leading zeros (e.g. 1.2.0): usage: npm run release -- <version> [--push]`,
    );
  const [major, minor, patch] = match.slice(1).map(Number);
  return { text: `${major}.${minor}.${patch}`, major, minor, patch };
}

/** The tags among `names` that are releases of the same major as `version`, and newer. */
function newerOfMajor(names, version) {
  return names.filter((name) => {
    const other = /^v(\d+)\.(\d+)\.(\d+)$/.exec(name)?.slice(1).map(Number);
    return (
      other !== undefined &&
      other[0] === version.major &&
      (other[1] > version.minor || (other[1] === version.minor && other[2] > version.patch))
    );
  });
}

/** Whether no local release of the same major is newer than this one (then `vX` moves to it). */
function isNewestOfMajor(version) {
  return newerOfMajor(git(['tag', '--list', `v${version.major}.*`]).split('\n'), version).length === 0;
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
  const files = workflowFiles('.');
  const workflows = files.filter((f) => f.startsWith('.github/')).map((f) => path.basename(f));
  const names = (list) => list.map((n) => n.replace(/[.]/g, '\\.')).join('|');
  // The suite's own references name this repository, or upstream Glidepath in a fork that
  // has not released yet; another owner's repository of another name is left alone.
  const ours = new Set([repository.split('/')[1], 'glidepath'].map((n) => n.toLowerCase()));
  const reference = new RegExp(
    `(uses:\\s*["']?)[\\w.-]+/([\\w.-]+)/((?:actions/(?:${names(actions)})|\\.github/workflows/(?:${names(workflows)})))@[\\w./-]+`,
    'g',
  );
  let changed = 0;
  for (const file of files) {
    const before = readFileSync(file, 'utf8');
    const after = before.replace(reference, (all, prefix, name, subpath) => {
      if (!ours.has(name.toLowerCase())) return all;
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
