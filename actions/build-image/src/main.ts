import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile, run, setOutputs } from '@glidepath/core';
import { attestImage } from './attest.js';
import { BuildahBuilder } from './builders/buildah.js';
import { detectBuilder } from './builders/detect.js';
import { DockerBuilder } from './builders/docker.js';
import type { Builder, BuildPlan } from './builders/types.js';
import { LocalCache, localCacheKeys, type RestoreOutcome } from './cache.js';
import { checkBuilderSupport, readSettings } from './context.js';
import { finalStageLabels, parseDockerfile } from './dockerfile.js';
import { computeLabels, computeTags, readGitContext } from './git-context.js';
import { group, info } from './log.js';
import { cleanup, cleanupState } from './post.js';
import { buildSummary } from './summary.js';

await run(
  async () => {
    const started = Date.now();
    // Inputs, tags and labels are all settled before anything is built or pushed.
    const settings = await readSettings();
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
    const builderName = settings.builder === 'auto' ? await detectBuilder(execFile) : settings.builder;
    checkBuilderSupport(settings, builderName);
    info(`Builder: ${builderName}${settings.builder === 'auto' ? ' (auto)' : ''}; tags: ${tags.join(', ')}`);

    const temp = process.env.RUNNER_TEMP || tmpdir();
    mkdirSync(temp, { recursive: true });
    const workDir = mkdtempSync(path.join(temp, 'glidepath-build-'));
    const scratch = [workDir];
    cleanupState.save('scratch', scratch);
    const authFile = path.join(workDir, 'auth.json');
    const builder: Builder =
      builderName === 'docker'
        ? new DockerBuilder({
            exec: execFile,
            annotationPath: settings.fileForAnnotations,
            registryCalls: { log: info },
          })
        : new BuildahBuilder({
            exec: execFile,
            authFile: settings.credentials ? authFile : '',
            annotationPath: settings.fileForAnnotations,
            registryCalls: { log: info },
            storage: {
              // The local cache is buildah's own image store, kept between runs; otherwise a throw-away one.
              root: settings.cache === 'local' ? settings.cacheDir : path.join(workDir, 'storage'),
              runroot: path.join(workDir, 'runroot'),
              driver: process.env.STORAGE_DRIVER || 'vfs',
              isolation: process.env.BUILDAH_ISOLATION || 'chroot',
            },
          });

    try {
      if (settings.credentials) {
        const { username, password } = settings.credentials;
        await group(`Log in to ${settings.image.registry}`, async () => {
          if (builderName === 'docker') cleanupState.save('dockerLogout', settings.image.registry);
          else cleanupState.save('authFile', authFile);
          await builder.login(settings.image.registry, username, password);
        });
      }

      let cache: LocalCache | undefined;
      let restore: RestoreOutcome | undefined;
      if (settings.cache === 'local') {
        cache = new LocalCache(
          settings.cacheDir,
          localCacheKeys({
            builder: builderName,
            image: settings.image.name,
            os: process.env.RUNNER_OS,
            sha: git.sha,
            runId: process.env.GITHUB_RUN_ID,
          }),
        );
        const localCache = cache;
        restore = await group('Restore the layer cache', () => localCache.restore());
        info(`Cache ${settings.cacheDir}: ${restore.kind === 'unavailable' ? restore.reason : restore.kind}`);
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
      const outcome = await group(settings.push ? 'Build and push' : 'Build', () => builder.build(plan));
      const buildMs = Date.now() - buildStarted;

      if (cache) {
        const localCache = cache;
        const saved = await group('Save the layer cache', () => localCache.save());
        if (saved) info(`Cache saved: ${saved}`);
      }

      let attestationUrl: string | undefined;
      if (settings.attest && outcome.digest) {
        const digest = outcome.digest;
        const attestation = await group('Attest build provenance', () =>
          attestImage({ image: settings.image.name, digest, token: settings.githubToken }),
        );
        attestationUrl = attestation.url;
      }

      const durationMs = Date.now() - started;
      const imageRef = outcome.digest ? `${settings.image.name}@${outcome.digest}` : undefined;
      setOutputs({
        digest: outcome.digest ?? '',
        'image-ref': imageRef ?? '',
        'image-id': outcome.imageId ?? '',
        tags: plan.refs.join('\n'),
        metadata: {
          image: settings.image.name,
          registry: settings.image.registry,
          digest: outcome.digest ?? null,
          imageRef: imageRef ?? null,
          imageId: outcome.imageId ?? null,
          tags: plan.refs,
          labels: Object.fromEntries(labels),
          platforms: settings.platforms,
          builder: builderName,
          pushed: settings.push,
          sizeBytes: outcome.sizeBytes ?? null,
          durationMs,
          buildMs,
          cache: { mode: settings.cache, steps: outcome.cacheSteps ?? null, restore: restore ?? null },
          attestation: attestationUrl ?? null,
          builderMetadata: outcome.builderMetadata ?? null,
        },
      });
      await buildSummary({
        image: settings.image.name,
        digest: outcome.digest,
        imageId: outcome.imageId,
        refs: plan.refs,
        labels,
        builder: builderName,
        platforms: settings.platforms,
        pushed: settings.push,
        sizeBytes: outcome.sizeBytes,
        durationMs,
        buildMs,
        cacheMode: settings.cache,
        cacheSteps: outcome.cacheSteps,
        restore,
        attestationUrl,
      }).write();
    } finally {
      // The credentials file and scratch space go as soon as they are not needed; post repeats it if main died.
      for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    }
  },
  () => cleanup(),
);
