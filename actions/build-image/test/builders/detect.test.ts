import { ProcessError } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import { detectBuilder } from '../../src/builders/detect.js';
import type { Exec } from '../../src/builders/types.js';

/** Answers like the docker CLI does with and without an engine (`docker version` exits 1 without one). */
function docker(answers: Record<string, string | Error>): Exec {
  return async (command, args) => {
    const answer = answers[`${command} ${args[0]}`];
    if (answer === undefined || answer instanceof Error) throw answer ?? new Error(`spawn ${command} ENOENT`);
    return { exitCode: 0, stdout: answer, stderr: '' };
  };
}

const noEngine = new ProcessError(
  'docker',
  1,
  'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.',
  {
    exitCode: 1,
    stdout: '',
    stderr:
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
  },
);

describe('detectBuilder', () => {
  it('picks docker when the engine answers and buildx is there', async () => {
    expect(
      await detectBuilder(
        docker({ 'docker version': '27.3.1\n', 'docker buildx': 'github.com/docker/buildx v0.18.0' }),
      ),
    ).toBe('docker');
  });

  it('picks buildah when no engine answers, buildx is missing, or docker is not installed', async () => {
    expect(await detectBuilder(docker({ 'docker version': noEngine }))).toBe('buildah');
    expect(await detectBuilder(docker({ 'docker version': '27.3.1\n' }))).toBe('buildah');
    expect(await detectBuilder(docker({}))).toBe('buildah');
  });
});
