import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BuildError, buildahFailure, buildErrorFor, buildxFailure } from '../src/build-errors.js';
import { parseDockerfile } from '../src/dockerfile.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => readFileSync(path.join(fixtures, name), 'utf8');

describe('build failures', () => {
  it("points buildah's failing COPY at its Dockerfile line (recorded buildah 1.28 output)", () => {
    const failure = buildahFailure(
      fixture('buildah-build-missing-file.stdout.txt'),
      fixture('buildah-build-missing-file.stderr.txt'),
      parseDockerfile(fixture('missing-file.Dockerfile')),
    );
    expect(failure.line).toBe(6);
    expect(failure.message).toMatch(
      /^building at STEP "COPY missing.txt \/missing.txt": .*no such file or directory$/,
    );
  });

  it('gives no line when buildah failed before any step', () => {
    const failure = buildahFailure('', 'Error: no FROM statement found\n', parseDockerfile(''));
    expect(failure).toEqual({ message: 'no FROM statement found', line: undefined });
  });

  it("reads BuildKit's Dockerfile:N snippet and its ERROR line", () => {
    const failure = buildxFailure(fixture('buildx-build-missing-file.stderr.txt'));
    expect(failure.line).toBe(6);
    expect(failure.message).toMatch(/^failed to solve: .*"\/missing.txt": not found$/);
  });

  it('becomes an error with an annotation target at file and line', () => {
    const error = buildErrorFor({ message: 'boom', line: 6 }, 'broken/Dockerfile');
    expect(error).toBeInstanceOf(BuildError);
    expect(error.target).toEqual({ title: 'Image build failed', file: 'broken/Dockerfile', startLine: 6 });
    expect(error.message).toBe('The image build failed at broken/Dockerfile:6: boom');
  });
});
