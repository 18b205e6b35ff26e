import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runnerLog as log, run, setOutputs } from '@glidepath/core';
import { attestImage } from './attest.js';
import { detectBuilder } from './builders/detect.js';
import { authFilePath, type BuildPlan, builderExec, createBuilder } from './builders/index.js';
import { LocalCache, localCacheKeys, type RestoreOutcome } from './cache.js';
import { checkBuilderSupport, readContext } from './context.js';
import { finalStageLabels, parseDockerfile } from './dockerfile.js';
import { computeLabels, computeTags, readGitContext } from './git-context.js';
import { actionOutputs } from './outputs.js';
import { cleanup, cleanupState } from './post.js';
import { buildSummary } from './summary.js';

await run(
  async ({ signal }) => {
    const started = Date.now();
    // Inputs, tags, labels and the builder are all settled before anything is built or pushed.
    const settings = await readContext();
    const git = readGitContext();
    const dockerfile = parseDockerfile(readFileSync(settings.file, 'utf8'));
    const tags = computeTags(git, {
      latest: settings.latest,
      defaultBranch: settings.defaultBranch ?? git.defaultBranch ?? 'main',
      extra: settings.extraTags,
    });
    const labels = computeLabels({
      git,
      tags,
      created: new Date(),
      dockerfileLabels: finalStageLabels(dockerfile),
      user: settings.labels,
    });
    const builderName =
      settings.builder === 'auto' ? await detectBuilder(builderExec(signal)) : settings.builder;
    checkBuilderSupport(settings, builderName);
    log.info(
      `Builder: ${builderName}${settings.builder === 'auto' ? ' (auto)' : ''}; tags: ${tags.join(', ')}`,
    );

    const temp = process.env.RUNNER_TEMP || tmpdir();
    mkdirSync(temp, { recursive: true });
    const workDir = mkdtempSync(path.join(temp, 'glidepath-build-'));
    cleanupState.save('scratch', [workDir]);
    const builder = createBuilder(builderName, settings, workDir, { log: log.info, signal });
    try {
      if (settings.credentials) {
        const { username, password } = settings.credentials;
        await log.group(`Log in to ${settings.image.registry}`, async () => {
          if (builderName === 'docker') cleanupState.save('dockerLogout', settings.image.registry);
          else cleanupState.save('authFile', authFilePath(workDir));
          await builder.login(settings.image.registry, username, password);
        });
      }

      const cache =
        settings.cache === 'local'
          ? new LocalCache(
              settings.cacheDir,
              localCacheKeys({
                builder: builderName,
                image: settings.image.name,
                os: process.env.RUNNER_OS,
                sha: git.sha,
                runId: process.env.GITHUB_RUN_ID,
              }),
            )
          : undefined;
      let restore: RestoreOutcome | undefined;
      if (cache) {
        restore = await log.group('Restore the layer cache', () => cache.restore());
        log.info(
          `Cache ${settings.cacheDir}: ${restore.kind === 'unavailable' ? restore.reason : restore.kind}`,
        );
      }

      const plan: BuildPlan = {
        image: settings.image.name,
        registry: settings.image.registry,
        context: settings.context,
        file: settings.file,
        dockerfile,
        refs: tags.map((tag) => `${settings.image.name}:${tag}`),
        labels,
        buildArgs: settings.buildArgs,
        platforms: settings.platforms,
        push: settings.push,
        cache: settings.cache,
        cacheDir: settings.cacheDir,
        workDir,
        provenance: settings.provenance,
        sbom: settings.sbom,
      };
      const buildStarted = Date.now();
      const outcome = await log.group(settings.push ? 'Build and push' : 'Build', () => builder.build(plan));
      const buildMs = Date.now() - buildStarted;

      if (cache) {
        const saved = await log.group('Save the layer cache', () => cache.save());
        if (saved) log.info(`Cache saved: ${saved}`);
      }

      const digest = outcome.digest;
      const attestation =
        settings.attest && digest
          ? await log.group('Attest build provenance', () =>
              attestImage({ image: settings.image.name, digest, token: settings.githubToken }),
            )
          : undefined;

      const report = {
        image: settings.image.name,
        registry: settings.image.registry,
        digest,
        imageId: outcome.imageId,
        refs: plan.refs,
        labels,
        builder: builderName,
        platforms: settings.platforms,
        pushed: settings.push,
        sizeBytes: outcome.sizeBytes,
        durationMs: Date.now() - started,
        buildMs,
        cacheMode: settings.cache,
        cacheSteps: outcome.cacheSteps,
        restore,
        attestationUrl: attestation?.url,
        builderMetadata: outcome.builderMetadata,
      };
      setOutputs(actionOutputs(report));
      await buildSummary(report).write();
    } finally {
      // The credentials file and scratch space go as soon as they are not needed; post repeats it if main died.
      rmSync(workDir, { recursive: true, force: true });
    }
  },
  () => cleanup(),
);
