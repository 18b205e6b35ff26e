import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builderExec } from '../../src/builders/index.js';

const planted = {
  ACTIONS_CACHE_URL: 'https://cache.example.test/planted/',
  ACTIONS_RESULTS_URL: 'https://results.example.test/planted/',
  ACTIONS_RUNTIME_TOKEN: 'planted-runtime-token',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'planted-oidc-request-token',
  INPUT_REGISTRY_PASSWORD: 'planted-registry-password',
};
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

/** A stand-in program on PATH under the builder's name that prints the variables it got. */
function onPath(name: string): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'glidepath-builder-env-'));
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\nenv | grep -E "^(ACTIONS|INPUT)_" | sort\n');
  chmodSync(file, 0o755);
  process.env.PATH = `${dir}:${saved.PATH}`;
}

describe('the builders’ environment', () => {
  it('docker keeps the runner cache variables buildx type=gha reads, and nothing else of the runner', async () => {
    Object.assign(process.env, planted);
    onPath('docker');
    const { stdout } = await builderExec(undefined)('docker', ['version'], { silent: true });
    expect(stdout.trim().split('\n')).toEqual([
      `ACTIONS_CACHE_URL=${planted.ACTIONS_CACHE_URL}`,
      `ACTIONS_RESULTS_URL=${planted.ACTIONS_RESULTS_URL}`,
      `ACTIONS_RUNTIME_TOKEN=${planted.ACTIONS_RUNTIME_TOKEN}`,
    ]);
  });

  it('buildah, which has no use for them, gets none', async () => {
    Object.assign(process.env, planted);
    onPath('buildah');
    const { stdout } = await builderExec(undefined)('buildah', ['version'], { silent: true });
    expect(stdout.trim()).toBe('');
  });
});
