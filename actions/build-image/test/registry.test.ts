import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessError } from '@glidepath/core';
import { describe, expect, it } from 'vitest';
import {
  isAuthFailure,
  isTransient,
  RegistryAuthError,
  RegistryUnreachableError,
  registryProblem,
  withRegistry,
} from '../src/registry.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A failed buildah run with the recorded standard error. */
function recorded(name: string): ProcessError {
  const stderr = readFileSync(path.join(fixtures, name), 'utf8');
  return new ProcessError('buildah', 125, stderr.trim().split('\n').slice(-10).join('\n'), {
    exitCode: 125,
    stdout: '',
    stderr,
  });
}

describe('classifying registry failures (recorded buildah output)', () => {
  it.each([
    ['buildah-push-unreachable.stderr.txt', 'transient', /connection refused/],
    ['buildah-push-unauthorized.stderr.txt', 'auth', /unauthorized: authentication required/],
    ['buildah-login-invalid.stderr.txt', 'auth', /invalid username\/password/],
  ])('%s is %s', (file, kind, problem) => {
    const error = recorded(file);
    expect(isAuthFailure(error)).toBe(kind === 'auth');
    expect(isTransient(error)).toBe(kind === 'transient');
    expect(registryProblem(error)).toMatch(problem);
  });

  it('retries 5xx answers too', () => {
    expect(isTransient(new Error('received unexpected HTTP status: 503 Service Unavailable'))).toBe(true);
    expect(isTransient(new Error('manifest invalid: manifest invalid'))).toBe(false);
  });
});

describe('withRegistry', () => {
  const noSleep = { sleep: async () => undefined, random: () => 0.5 };

  it('retries network errors with backoff, then names the registry', async () => {
    let calls = 0;
    const log: string[] = [];
    const delays: number[] = [];
    const error = await withRegistry(
      '127.0.0.1:1',
      'Push',
      async () => {
        calls++;
        throw recorded('buildah-push-unreachable.stderr.txt');
      },
      { ...noSleep, sleep: async (ms) => void delays.push(ms), log: (m) => log.push(m) },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect(delays).toEqual([750, 1500, 3000]);
    expect(log[0]).toMatch(
      /^Push to 127.0.0.1:1 failed \(attempt 1 of 4\): .*connection refused; retrying in 750 ms\.$/,
    );
    expect(error).toBeInstanceOf(RegistryUnreachableError);
    expect((error as Error).message).toMatch(/^Could not push to registry 127.0.0.1:1 after 4 attempts: /);
  });

  it('fails at once on a 401', async () => {
    let calls = 0;
    const error = await withRegistry(
      'registry.example.com',
      'Log in',
      async () => {
        calls++;
        throw recorded('buildah-login-invalid.stderr.txt');
      },
      noSleep,
    ).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(RegistryAuthError);
    expect((error as Error).message).toMatch(/^Authentication failed for registry registry.example.com: /);
  });

  it('returns the result once the registry answers', async () => {
    let calls = 0;
    const result = await withRegistry(
      'r.example',
      'Push',
      async () => {
        if (++calls < 3) throw new Error('received unexpected HTTP status: 502 Bad Gateway');
        return 'ok';
      },
      noSleep,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });
});
