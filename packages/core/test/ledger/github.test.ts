import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type GitHubFake, startGitHubFake } from '../../../../test/fakes/github/index.js';
import { createLedger, FileLedger, GitHubLedger, githubClient, OperationError } from '../../src/index.js';
import { ledgerContract } from './contract.js';

let fake: GitHubFake;
let repository = 0;

beforeAll(async () => {
  fake = await startGitHubFake({ repos: Array.from({ length: 40 }, (_, i) => `acme/shop${i}`) });
});

afterAll(async () => {
  await fake?.close();
});

/**
 * A ledger on a repository of its own, so tests do not see each other's
 * deployments. Core's client as actions make it, with GitHub's one-write-per-
 * second throttling off unless a test asks for the client exactly as shipped.
 */
/** A commit id for a version, so GitHub (the fake) can resolve the deployment's ref. */
function commitOf(version: string): string {
  return Buffer.from(version).toString('hex').padEnd(40, '0').slice(0, 40);
}

function openLedger(options: { scanLimit?: number; asShipped?: boolean } = {}): GitHubLedger {
  const { asShipped, ...rest } = options;
  return new GitHubLedger({
    token: fake.token,
    repository: `acme/shop${repository++}`,
    baseUrl: fake.url,
    ...(asShipped ? {} : { client: githubClient(fake.token, { baseUrl: fake.url, throttle: false }) }),
    ...rest,
  });
}

const removed = new Set<string>();
ledgerContract('GitHubLedger', {
  open: async () => openLedger(),
  // GitHub answers 404 about a deployment that was deleted; any other refusal is a bug.
  check: () => {
    const unexpected = fake
      .takeViolations()
      .filter((v) => !(v.status === 404 && [...removed].some((id) => v.url.includes(`/deployments/${id}`))));
    removed.clear();
    expect(unexpected).toEqual([]);
  },
  gone: (id) => void removed.add(id),
});

describe('GitHubLedger on the Deployments API', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    fake.assertNoViolations();
  });

  it('makes one deployment per release, with Glidepath’s payload and linked statuses', async () => {
    vi.stubEnv('GITHUB_SERVER_URL', 'https://github.example');
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/shop');
    vi.stubEnv('GITHUB_RUN_ID', '77');
    const ledger = openLedger({ asShipped: true });
    const commit = 'c0ffee'.padEnd(40, '0');
    const begun = await ledger.begin({
      environment: 'production',
      version: 'registry.example/shop@sha256:abcd',
      slot: 'green',
      commit,
      environmentUrl: 'https://shop.example',
    });
    const finished = await ledger.finish(begun, { status: 'success', reason: 'promoted after 4 steps' });

    const [deployment] = fake.deployments(ledger.owner, ledger.repo);
    expect(deployment).toMatchObject({
      id: Number(begun.id),
      ref: commit,
      sha: commit,
      task: 'deploy',
      environment: 'production',
      payload: { version: 'registry.example/shop@sha256:abcd', slot: 'green', commit },
      description: 'registry.example/shop@sha256:abcd to slot green',
    });
    const create = fake.requests.find(
      (r) => r.operationId === 'repos/create-deployment' && r.url.includes(`/${ledger.repo}/`),
    );
    expect(create?.body).toMatchObject({ auto_merge: false, required_contexts: [] });
    expect(fake.statuses(Number(begun.id))).toMatchObject([
      {
        state: 'success',
        description: 'promoted after 4 steps',
        log_url: 'https://github.example/acme/shop/actions/runs/77',
        environment_url: 'https://shop.example',
      },
      { state: 'in_progress', log_url: 'https://github.example/acme/shop/actions/runs/77' },
    ]);
    expect(finished).toMatchObject({ status: 'success', good: true, createdAt: deployment?.created_at });
  });

  it('cuts a long reason to GitHub’s 140 characters', async () => {
    const ledger = openLedger();
    const begun = await ledger.begin({
      environment: 'production',
      version: 'v1',
      slot: 'blue',
      commit: 'a'.repeat(40),
    });
    const reason = `error rate ${'0.5%, '.repeat(40)}`;
    const failed = await ledger.finish(begun, { status: 'failure', reason });
    expect([...(failed.reason ?? '')]).toHaveLength(140);
    expect(failed.reason?.endsWith('…')).toBe(true);
    expect(reason.startsWith(failed.reason?.slice(0, 139) ?? '-')).toBe(true);
  });

  it('reads only Glidepath’s deployments, and ignores other tools’ in the same environment', async () => {
    const ledger = openLedger();
    const v1 = await ledger.begin({
      environment: 'production',
      version: 'v1',
      slot: 'blue',
      commit: 'b'.repeat(40),
    });
    await ledger.finish(v1, { status: 'success' });
    const other = await fetch(`${fake.url}/repos/${ledger.owner}/${ledger.repo}/deployments`, {
      method: 'POST',
      headers: { authorization: `token ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ref: 'main', required_contexts: [], payload: { heroku: true } }),
    });
    expect(other.status).toBe(201);
    expect((await ledger.history('production')).map((r) => r.version)).toEqual(['v1']);
    expect((await ledger.current('production'))?.version).toBe('v1');
  });

  it('three releases and a rollback leave exactly one active deployment in production, where GitHub does not make any inactive', async () => {
    const ledger = openLedger();
    const live = async (version: string, slot: string) =>
      ledger.finish(
        await ledger.begin({ environment: 'production', version, slot, commit: commitOf(version) }),
        {
          status: 'success',
        },
      );
    const v1 = await live('v1', 'blue');
    await live('v2', 'green');
    const v3 = await live('v3', 'blue');
    // Staging beside it: its own active deployment, untouched by production's.
    await ledger.finish(
      await ledger.begin({ environment: 'staging', version: 's1', slot: 'blue', commit: commitOf('s1') }),
      { status: 'success' },
    );
    const restored = await ledger.rollback({
      environment: 'production',
      from: v3,
      to: v1,
      reason: 'errors in checkout',
    });
    const active = (environment: string) =>
      fake
        .deployments(ledger.owner, ledger.repo)
        .filter((d) => d.environment === environment && fake.statuses(d.id)[0]?.state === 'success')
        .map((d) => String(d.id));
    expect(active('production')).toEqual([restored.id]);
    expect(active('staging')).toHaveLength(1);
    expect((await ledger.history('production')).map((r) => [r.version, r.status, r.good])).toEqual([
      ['v1', 'success', true],
      ['v3', 'failure', false],
      ['v2', 'inactive', true],
      ['v1', 'inactive', true],
    ]);
  });

  it('warns, and still records the release as live, when an earlier one cannot be made inactive', async () => {
    const warnings: string[] = [];
    const ledger = new GitHubLedger({
      token: fake.token,
      repository: `acme/shop${repository++}`,
      baseUrl: fake.url,
      client: githubClient(fake.token, { baseUrl: fake.url, throttle: false }),
      warn: (message) => warnings.push(message),
    });
    await ledger.finish(
      await ledger.begin({ environment: 'production', version: 'v1', slot: 'blue', commit: commitOf('v1') }),
      { status: 'success' },
    );
    const v2 = await ledger.begin({
      environment: 'production',
      version: 'v2',
      slot: 'green',
      commit: commitOf('v2'),
    });
    // The success status is accepted; reading the list to find the earlier live release is refused
    // (403 is not retried).
    fake.failOperation('repos/list-deployments', 403);
    const finished = await ledger.finish(v2, { status: 'success' });
    expect(finished).toMatchObject({ version: 'v2', status: 'success', good: true });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^v2 is recorded as live in production, but an earlier live release could not be marked inactive, so GitHub may show two active deployments: .*could not read the deployments of production: Injected failure/,
      ),
    ]);
    expect((await ledger.current('production'))?.version).toBe('v2');
  });

  it('retries through a 502 from GitHub', async () => {
    const ledger = openLedger({ asShipped: true });
    const before = fake.requests.length;
    fake.failNext(502);
    const begun = await ledger.begin({
      environment: 'production',
      version: 'v1',
      slot: 'blue',
      commit: 'd'.repeat(40),
    });
    expect(fake.requests.slice(before).map((r) => [r.operationId ?? 'injected', r.status])).toEqual([
      ['injected', 502],
      ['repos/create-deployment', 201],
      ['repos/create-deployment-status', 201],
    ]);
    expect(fake.deployments(ledger.owner, ledger.repo).map((d) => String(d.id))).toEqual([begun.id]);
  });

  it('pages through a long history, bounded by scanLimit', async () => {
    const ledger = openLedger({ scanLimit: 150 });
    const first = await ledger.begin({
      environment: 'production',
      version: 'v0',
      slot: 'blue',
      commit: 'e'.repeat(40),
    });
    await ledger.finish(first, { status: 'success' });
    // 120 failed releases after the good one: the answer is on the second page of deployments.
    for (let i = 1; i <= 120; i++) {
      const release = await ledger.begin({
        environment: 'production',
        version: `v${i}`,
        slot: 'green',
        commit: 'e'.repeat(40),
      });
      await ledger.finish(release, { status: 'failure' });
    }
    expect((await ledger.current('production'))?.version).toBe('v0');
    // With a scan of 100 deployments, the good release is out of reach.
    expect(await openLedgerOn(ledger, 100).current('production')).toBeUndefined();
  });

  it('explains a refused token', async () => {
    const ledger = new GitHubLedger({ token: 'ghp_wrong', repository: 'acme/shop0', baseUrl: fake.url });
    const error = await ledger.current('production').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationError);
    expect((error as Error).message).toMatch(
      /GitHub Deployments of acme\/shop0: could not read the deployments of production: Bad credentials.*The token was refused/,
    );
    expect(fake.takeViolations()).toHaveLength(1);
  });
});

describe('createLedger', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('chooses GitHub with a token and a repository, the file otherwise, and obeys a forced choice', () => {
    vi.stubEnv('GITHUB_REPOSITORY', '');
    expect(createLedger({ token: 't', repository: 'acme/shop' })).toBeInstanceOf(GitHubLedger);
    expect(createLedger({ token: 't', repository: 'acme/shop' }).describe()).toBe(
      'GitHub Deployments of acme/shop',
    );
    expect(createLedger({ repository: 'acme/shop', file: 'x.json' })).toBeInstanceOf(FileLedger);
    expect(createLedger({ token: 't' }).describe()).toBe('ledger file .glidepath/ledger.json');
    expect(createLedger({ store: 'file', token: 't', repository: 'acme/shop' })).toBeInstanceOf(FileLedger);
    expect(() => createLedger({ store: 'github', repository: 'acme/shop' })).toThrow(/needs a token/);
    vi.stubEnv('GITHUB_REPOSITORY', 'acme/from-env');
    expect(createLedger({ token: 't' }).describe()).toBe('GitHub Deployments of acme/from-env');
  });
});

function openLedgerOn(ledger: GitHubLedger, scanLimit: number): GitHubLedger {
  return new GitHubLedger({
    token: fake.token,
    repository: `${ledger.owner}/${ledger.repo}`,
    client: githubClient(fake.token, { baseUrl: fake.url, throttle: false }),
    scanLimit,
  });
}
