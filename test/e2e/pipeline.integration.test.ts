/**
 * The whole pipeline, end to end, through the runner contract on every
 * action's bundled dist/ and on real parts: buildah builds the image and
 * pushes it to the loopback registry; run-migrations migrates a real
 * PostgreSQL database; the sample service runs in two slots behind a real
 * nginx (and HAProxy in the second case); canary-shift deploys each release
 * into the idle slot and shifts live traffic to it under steady load; a bad
 * release is rolled back automatically; a manual rollback returns to the
 * previous release; the ledger is GitHub Deployments, checked through the
 * OpenAPI-validated GitHub fake. This is the sequence deploy.yml runs.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubLedger } from '../../packages/core/src/index.js';
import { type GitHubFake, startGitHubFake } from '../fakes/github/index.js';
import { repoRoot, runMain, type StepResult } from '../harness/runner.js';
import { startHaproxy } from '../support/haproxy.js';
import { type Load, startLoad } from '../support/load.mjs';
import { nginxWorkers, startNginx, waitForReload } from '../support/nginx.js';
import { freePort, serviceUrl, uniqueName } from '../support/services.js';

const service = path.join(repoRoot, 'examples/sample-service');
const deploySlot = `bash ${path.join(service, 'deploy-slot.sh')}`;
const repository = 'glidepath-test/service';
const commit = 'ffac537e6cbbf934b08745a378932722df287a53';

let github: GitHubFake;
let work: string;

beforeAll(async () => {
  github = await startGitHubFake({ repos: [repository] });
  work = mkdtempSync(path.join(tmpdir(), 'glidepath-e2e-'));
});
afterAll(async () => {
  await github?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Environment of every step: the GitHub API is the fake, the token is the job's. */
function jobEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { GITHUB_API_URL: github.url, GITHUB_REPOSITORY: repository, GITHUB_SHA: commit, ...extra };
}

function expectOk(result: StepResult): void {
  expect(result.exitCode, result.log).toBe(0);
}

/** Slot ports and the folder deploy-slot.sh keeps its pid files in, per case. */
async function slotEnvironment(name: string) {
  const env = {
    BLUE_PORT: String(await freePort()),
    GREEN_PORT: String(await freePort()),
    RUN_DIR: path.join(work, name, 'slots'),
  };
  mkdirSync(env.RUN_DIR, { recursive: true });
  return env;
}

async function stopSlots(runDir: string): Promise<void> {
  for (const slot of ['blue', 'green']) {
    const pid = Number(readFileSyncOr(path.join(runDir, `${slot}.pid`)));
    if (pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
}

function readFileSyncOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The release that is live before the pipeline runs: v1 in blue, recorded in the ledger. */
async function bootstrap(env: Record<string, string>, environment: string): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync('bash', [path.join(service, 'deploy-slot.sh')], {
    env: { ...process.env, ...env, IMAGE: 'shop:v1', SLOT: 'blue' },
    stdio: 'ignore',
  });
  const ledger = new GitHubLedger({ token: github.token, repository, baseUrl: github.url });
  const v1 = await ledger.begin({ environment, version: 'shop:v1', slot: 'blue', commit });
  await ledger.finish(v1, { status: 'success' });
}

function versionsOf(environment: string): Array<[string, string | undefined]> {
  const [owner, repo] = repository.split('/') as [string, string];
  return github
    .deployments(owner, repo)
    .filter((d) => d.environment === environment)
    .map((d) => [(d.payload as { version: string }).version, github.statuses(d.id)[0]?.state]);
}

describe('the deploy pipeline end to end', () => {
  let image: string;
  let imageRef: string;

  it('builds the image once with buildah and pushes it to the registry by digest', async () => {
    const context = path.join(work, 'context');
    mkdirSync(context, { recursive: true });
    copyFileSync('/bin/busybox', path.join(context, 'busybox'));
    copyFileSync(path.join(service, 'server.mjs'), path.join(context, 'server.mjs'));
    // No base image can be pulled here, so the image is built FROM scratch; on
    // a runner the sample service's own Dockerfile (node:20-alpine) builds the same way.
    writeFileSync(
      path.join(context, 'Dockerfile'),
      'FROM scratch AS app\nCOPY server.mjs /app/server.mjs\n\nFROM scratch\nCOPY busybox /bin/busybox\nCOPY --from=app /app /app\nCMD ["/bin/busybox", "true"]\n',
    );
    image = `${serviceUrl('GLIDEPATH_REGISTRY')}/e2e/${uniqueName('shop')}`;
    const build = await runMain({
      action: 'build-image',
      inputs: { image, context, builder: 'buildah', cache: 'none' },
      env: jobEnv(),
      timeoutMs: 300_000,
    });
    expectOk(build);
    expect(build.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    imageRef = build.outputs['image-ref']!;
    expect(imageRef).toBe(`${image}@${build.outputs.digest}`);
    const manifest = await fetch(`http://${image.replace('/', '/v2/')}/manifests/${build.outputs.digest}`, {
      headers: {
        accept:
          'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(manifest.status).toBe(200);
  }, 300_000);

  it('migrates PostgreSQL under the lock, then a second run applies nothing', async () => {
    const admin = new pg.Client({ connectionString: serviceUrl('GLIDEPATH_PG_URL') });
    await admin.connect();
    const database = uniqueName('e2e');
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = serviceUrl('GLIDEPATH_PG_URL').replace(/\/postgres$/, `/${database}`);
      const inputs = { 'database-url': url, dir: path.join(service, 'migrations'), lint: 'error' };
      const first = await runMain({ action: 'run-migrations', inputs, env: jobEnv() });
      expectOk(first);
      expect(first.outputs).toMatchObject({ applied: '6', 'current-version': '6' });
      const second = await runMain({ action: 'run-migrations', inputs, env: jobEnv() });
      expectOk(second);
      expect(second.outputs.applied).toBe('0');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);

  it('on nginx: promotes a good release with zero failed requests, reverts a bad one by itself, and rolls back by hand', async () => {
    expect(imageRef, 'the build step must run first').toBeTruthy();
    // Named production: there GitHub's auto_inactive makes nothing inactive, so the one active
    // deployment at the end is the ledger's own doing.
    const environment = 'production';
    const slots = await slotEnvironment('nginx');
    await bootstrap(slots, environment);
    const nginx = await startNginx({
      upstreamContent: `upstream shop {\n    server 127.0.0.1:${slots.BLUE_PORT} weight=100;\n    server 127.0.0.1:${slots.GREEN_PORT} down;\n}\n`,
      upstream: 'shop',
    });
    let load: Load | undefined;
    try {
      const router = {
        router: 'nginx',
        slots: `blue=127.0.0.1:${slots.BLUE_PORT}\ngreen=127.0.0.1:${slots.GREEN_PORT}`,
        'nginx-upstream-file': nginx.upstreamFile,
        'nginx-upstream': 'shop',
        'nginx-test-command': nginx.testCommand.join(' '),
        'nginx-reload-command': nginx.reloadCommand.join(' '),
      };
      const shift = (version: string, extraEnv: Record<string, string> = {}) =>
        runMain({
          action: 'canary-shift',
          inputs: {
            ...router,
            'target-slot': 'auto',
            'deploy-command': deploySlot,
            'slot-urls': `blue=http://127.0.0.1:${slots.BLUE_PORT}/\ngreen=http://127.0.0.1:${slots.GREEN_PORT}/`,
            steps: '10,50,100',
            'step-duration': '4s',
            interval: '1s',
            'failure-threshold': '2',
            environment,
            version,
          },
          env: jobEnv({ ...slots, ...extraEnv, GITHUB_TOKEN: github.token }),
          timeoutMs: 120_000,
        });

      load = startLoad({ url: nginx.url, rate: 200, maxMs: 110_000 });
      const good = await shift(imageRef);
      expectOk(good);
      expect(good.outputs.result).toBe('promoted');
      expect(good.log).toContain('target-slot auto: green takes no traffic');
      const afterGood = load.snapshot();
      // No failure other than the resent resets of a graceful reload (their number is timing, bench/'s).
      expect(afterGood.failures, JSON.stringify(afterGood.failures.slice(0, 3))).toEqual([]);
      expect(afterGood.byVersion[imageRef]).toBeGreaterThan(0);

      const bad = await shift(`${image}:broken`, { ERROR_RATE: '1' });
      expect(bad.exitCode).toBe(1);
      expect(bad.outputs.result).toBe('rolled-back');
      expect(bad.outputs.reason).toMatch(/127\.0\.0\.1:\d+\/.*500/);
      const report = await load.stop();
      load = undefined;
      // Only the bad release's share of traffic failed, during its first step.
      expect(report.failures.every((f) => f.version === `${image}:broken` || f.status === 500)).toBe(true);
      expect(readFileSync(nginx.upstreamFile, 'utf8')).toMatch(
        new RegExp(
          `server 127\\.0\\.0\\.1:${slots.BLUE_PORT} down;[\\s\\S]*server 127\\.0\\.0\\.1:${slots.GREEN_PORT} weight=100;`,
        ),
      );

      // By hand: back to the release before the current one (v1), which no
      // longer runs anywhere (blue now holds the broken build), so it is redeployed first.
      const workers = await nginxWorkers(nginx);
      const manual = await runMain({
        action: 'rollback',
        inputs: {
          ...router,
          environment,
          reason: 'product asked for v1 back',
          'redeploy-command': deploySlot,
        },
        env: jobEnv({ ...slots, GITHUB_TOKEN: github.token }),
      });
      expectOk(manual);
      expect(manual.outputs['rolled-back-to']).toBe('shop:v1');
      await waitForReload(nginx, workers);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => fetch(nginx.url).then((r) => r.headers.get('x-version'))),
      );
      expect(new Set(answers)).toEqual(new Set(['shop:v1']));

      expect(versionsOf(environment)).toEqual([
        ['shop:v1', 'success'],
        [`${image}:broken`, 'failure'],
        [imageRef, 'failure'],
        ['shop:v1', 'inactive'],
      ]);
      github.assertNoViolations();
    } finally {
      await load?.stop();
      await nginx.stop();
      await stopSlots(slots.RUN_DIR);
    }
  }, 240_000);

  it('on HAProxy: promotes a good release with zero failed requests and reverts a bad one', async () => {
    expect(imageRef, 'the build step must run first').toBeTruthy();
    const environment = 'production-haproxy';
    const slots = await slotEnvironment('haproxy');
    await bootstrap(slots, environment);
    const haproxy = await startHaproxy({
      servers: [
        { name: 'blue', address: `127.0.0.1:${slots.BLUE_PORT}`, weight: 100 },
        { name: 'green', address: `127.0.0.1:${slots.GREEN_PORT}`, weight: 0 },
      ],
    });
    let load: Load | undefined;
    try {
      const shift = (version: string, extraEnv: Record<string, string> = {}) =>
        runMain({
          action: 'canary-shift',
          inputs: {
            router: 'haproxy',
            slots: 'blue=blue\ngreen=green',
            'haproxy-socket': haproxy.socket,
            'haproxy-backend': haproxy.backend,
            'deploy-command': deploySlot,
            'slot-urls': `blue=http://127.0.0.1:${slots.BLUE_PORT}/\ngreen=http://127.0.0.1:${slots.GREEN_PORT}/`,
            steps: '25,100',
            'step-duration': '4s',
            interval: '1s',
            environment,
            version,
          },
          env: jobEnv({ ...slots, ...extraEnv, GITHUB_TOKEN: github.token }),
          timeoutMs: 120_000,
        });
      load = startLoad({ url: haproxy.url, rate: 200, maxMs: 90_000 });
      const good = await shift(imageRef);
      expectOk(good);
      expect(good.outputs.result).toBe('promoted');
      expect(load.snapshot().failures).toEqual([]);

      const bad = await shift(`${image}:broken`, { ERROR_RATE: '1' });
      expect(bad.outputs.result).toBe('rolled-back');
      await load.stop();
      load = undefined;
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => fetch(haproxy.url).then((r) => r.headers.get('x-version'))),
      );
      expect(new Set(answers)).toEqual(new Set([imageRef]));
      expect(versionsOf(environment)).toEqual([
        [`${image}:broken`, 'failure'],
        [imageRef, 'success'],
        ['shop:v1', 'inactive'],
      ]);
      github.assertNoViolations();
    } finally {
      await load?.stop();
      await haproxy.stop();
      await stopSlots(slots.RUN_DIR);
    }
  }, 240_000);
});
