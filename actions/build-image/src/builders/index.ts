import path from 'node:path';
import { GHA_CACHE_VARIABLES, runProcess } from '@glidepath/core';
import type { BuilderName, Settings } from '../context.js';
import type { RegistryCallOptions } from '../registry.js';
import { BuildahBuilder } from './buildah.js';
import { DockerBuilder } from './docker.js';
import type { Builder, Exec } from './types.js';

export type { Builder, BuildOutcome, BuildPlan } from './types.js';

/** The builder of this run, with its storage and credentials placed in the run's scratch directory. */
export function createBuilder(
  name: BuilderName,
  settings: Settings,
  workDir: string,
  registryCalls: RegistryCallOptions,
  env: NodeJS.ProcessEnv = process.env,
): Builder {
  const annotationPath = settings.fileForAnnotations;
  const exec = builderExec(registryCalls.signal);
  if (name === 'docker') return new DockerBuilder({ exec, annotationPath, registryCalls });
  return new BuildahBuilder({
    exec,
    authFile: settings.credentials ? authFilePath(workDir) : '',
    annotationPath,
    registryCalls,
    storage: {
      // The local cache is buildah's own image store, kept between runs; otherwise a throw-away one.
      root: settings.cache === 'local' ? settings.cacheDir : path.join(workDir, 'storage'),
      runroot: path.join(workDir, 'runroot'),
      driver: env.STORAGE_DRIVER || 'vfs',
      isolation: env.BUILDAH_ISOLATION || 'chroot',
    },
  });
}

/** buildah's credentials file of this run: inside the scratch directory, so it goes with it. */
export function authFilePath(workDir: string): string {
  return path.join(workDir, 'auth.json');
}

/**
 * A build may run as long as a job may (6 hours on GitHub-hosted runners);
 * what bounds it in practice is the job's cancellation, which stops the
 * builder and every process it started.
 */
const BUILD_LIMIT_MS = 6 * 3_600_000;

/**
 * How the builders run docker and buildah: bounded, cancellable, with the
 * job's environment minus inputs. docker keeps the runner's cache URL and
 * token, which buildx's `type=gha` cache reads from its environment.
 */
export function builderExec(signal: AbortSignal | undefined): Exec {
  return (command, args, options = {}) =>
    runProcess(command, args, {
      timeoutMs: BUILD_LIMIT_MS,
      ...(signal ? { signal } : {}),
      ...(command === 'docker' ? { runnerVariables: GHA_CACHE_VARIABLES } : {}),
      ...options,
    });
}
