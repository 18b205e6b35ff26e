import { readFileSync } from 'node:fs';
import { sanitizeTag } from './reference.js';

/**
 * What the build knows about the commit it builds, read from the runner's
 * environment and the event payload at GITHUB_EVENT_PATH — the same sources
 * @actions/github's `context` reads, without loading that package (and its
 * HTTP stack) on every start.
 */
export interface GitContext {
  eventName: string;
  /** Full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/42/merge`. */
  ref: string;
  /** The commit the image is built from: the PR head on pull requests, not the merge commit. */
  sha: string;
  prNumber: number | undefined;
  defaultBranch: string | undefined;
  /** `https://github.com/acme/service` */
  repositoryUrl: string;
  repositoryName: string;
  description: string | undefined;
  license: string | undefined;
  homepage: string | undefined;
}

interface EventPayload {
  pull_request?: { number?: number; head?: { sha?: string } };
  number?: number;
  repository?: {
    name?: string;
    html_url?: string;
    default_branch?: string;
    description?: string | null;
    homepage?: string | null;
    license?: { spdx_id?: string | null } | null;
  };
}

const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'];

export function readGitContext(env: NodeJS.ProcessEnv = process.env): GitContext {
  let payload: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      // A missing or unreadable payload (a local run) leaves only the environment to go on.
    }
  }
  return gitContextFrom(env, payload);
}

export function gitContextFrom(env: NodeJS.ProcessEnv, payload: EventPayload): GitContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const isPullRequest = PULL_REQUEST_EVENTS.includes(eventName);
  const repository = env.GITHUB_REPOSITORY ?? '';
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/$/, '');
  const license = payload.repository?.license?.spdx_id ?? undefined;
  return {
    eventName,
    ref: env.GITHUB_REF ?? '',
    // On `pull_request` the checkout is the merge commit, built from the head; `pull_request_target`
    // checks out the base, so its GITHUB_SHA is what is built.
    sha: (eventName === 'pull_request' ? payload.pull_request?.head?.sha : undefined) ?? env.GITHUB_SHA ?? '',
    prNumber: isPullRequest ? (payload.pull_request?.number ?? payload.number) : undefined,
    defaultBranch: payload.repository?.default_branch ?? undefined,
    repositoryUrl: payload.repository?.html_url ?? (repository ? `${serverUrl}/${repository}` : ''),
    repositoryName: payload.repository?.name ?? repository.split('/')[1] ?? '',
    description: payload.repository?.description ?? undefined,
    // GitHub says NOASSERTION for a licence it cannot identify; that is no licence to claim.
    license: license && license !== 'NOASSERTION' ? license : undefined,
    homepage: payload.repository?.homepage || undefined,
  };
}

export interface TagOptions {
  /** `auto`: `latest` on a push to the default branch. */
  latest: 'auto' | 'true' | 'false';
  defaultBranch: string;
  extra: string[];
}

const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * The tags of one build, most specific first; pure, so the rules read as a table:
 *
 * - `sha-<7>` always (the PR head commit on pull requests);
 * - a branch: its name, sanitised;
 * - a `v1.2.3` tag: `1.2.3`, `1.2`, `1` (no `0` for 0.x: a 0.x minor may break);
 *   a pre-release `v2.0.0-rc.1`: `2.0.0-rc.1` only; another tag: its name, sanitised;
 * - a pull request: `pr-<n>`;
 * - `latest` per `options.latest`; then the user's tags. No tag twice.
 */
export function computeTags(git: GitContext, options: TagOptions): string[] {
  const tags: string[] = [];
  if (git.sha) tags.push(`sha-${git.sha.slice(0, 7)}`);
  let onDefaultBranch = false;
  if (git.prNumber !== undefined) {
    tags.push(`pr-${git.prNumber}`);
  } else if (git.ref.startsWith('refs/heads/')) {
    const branch = git.ref.slice('refs/heads/'.length);
    onDefaultBranch = branch === options.defaultBranch;
    tags.push(sanitizeTag(branch));
  } else if (git.ref.startsWith('refs/tags/')) {
    tags.push(...versionTags(git.ref.slice('refs/tags/'.length)));
  }
  if (options.latest === 'true' || (options.latest === 'auto' && onDefaultBranch)) tags.push('latest');
  tags.push(...options.extra);
  return [...new Set(tags.filter(Boolean))];
}

function versionTags(tag: string): string[] {
  const match = SEMVER.exec(tag);
  if (!match) return [sanitizeTag(tag)];
  const [, major, minor, patch, prerelease] = match as unknown as [string, string, string, string, string?];
  // Build metadata (`+build.5`) cannot appear in a tag and does not change the version's meaning.
  const version = `${major}.${minor}.${patch}${prerelease ? `-${prerelease}` : ''}`;
  if (prerelease) return [version];
  return major === '0' ? [version, `${major}.${minor}`] : [version, `${major}.${minor}`, major];
}

/** The version the build represents: the `org.opencontainers.image.version` label. */
export function versionOf(tags: string[]): string | undefined {
  return tags.find((t) => !t.startsWith('sha-') && t !== 'latest') ?? tags[0];
}

export interface LabelInput {
  git: GitContext;
  tags: string[];
  created: Date;
  /** Labels the Dockerfile's final stage sets itself. */
  dockerfileLabels: ReadonlySet<string>;
  user: ReadonlyMap<string, string>;
}

const OCI = 'org.opencontainers.image';
/** Facts of this particular build: always set, whatever the Dockerfile says. */
const BUILD_FACTS = new Set([`${OCI}.source`, `${OCI}.revision`, `${OCI}.created`, `${OCI}.version`]);

/**
 * OCI annotations (as labels) filled from the repository and commit. A
 * descriptive label (title, description, licenses, url) that the Dockerfile
 * sets itself is left to the Dockerfile; the user's `labels` override everything.
 */
export function computeLabels(input: LabelInput): Map<string, string> {
  const { git } = input;
  const computed: Array<[string, string | undefined]> = [
    [`${OCI}.source`, git.repositoryUrl],
    [`${OCI}.revision`, git.sha],
    [`${OCI}.created`, input.created.toISOString()],
    [`${OCI}.version`, versionOf(input.tags)],
    [`${OCI}.title`, git.repositoryName],
    [`${OCI}.description`, git.description],
    [`${OCI}.licenses`, git.license],
    [`${OCI}.url`, git.homepage ?? git.repositoryUrl],
  ];
  const labels = new Map<string, string>();
  for (const [key, value] of computed) {
    if (!value) continue;
    if (!BUILD_FACTS.has(key) && input.dockerfileLabels.has(key)) continue;
    labels.set(key, value);
  }
  for (const [key, value] of input.user) labels.set(key, value);
  // buildah applies labels as steps in this order; the one that changes on every
  // build goes last, so that every label step before it can come from the cache.
  const created = labels.get(`${OCI}.created`);
  if (created !== undefined) {
    labels.delete(`${OCI}.created`);
    labels.set(`${OCI}.created`, created);
  }
  return labels;
}
