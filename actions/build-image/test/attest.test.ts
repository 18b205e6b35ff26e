import { describe, expect, it } from 'vitest';
import { attestImage } from '../src/attest.js';

const DIGEST = 'sha256:d9eda6a9f5c4d755b894c131d7dd7c186097d8a56bca58c5e7da925ea59cac63';

describe('attestImage', () => {
  it('attests the pushed digest as the subject and links the attestation', async () => {
    const calls: unknown[] = [];
    const result = await attestImage(
      {
        image: 'ghcr.io/acme/service',
        digest: DIGEST,
        token: 'ghs_token',
        env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token', GITHUB_REPOSITORY: 'acme/service' },
      },
      async () => ({
        attestProvenance: async (options) => {
          calls.push(options);
          return { bundle: {} as never, certificate: '', attestationID: '123' };
        },
      }),
    );
    expect(calls).toEqual([
      {
        subjects: [{ name: 'ghcr.io/acme/service', digest: { sha256: DIGEST.slice('sha256:'.length) } }],
        token: 'ghs_token',
      },
    ]);
    expect(result).toEqual({ id: '123', url: 'https://github.com/acme/service/attestations/123' });
  });

  it('says what is missing outside a GitHub-hosted run, without loading @actions/attest', async () => {
    let loaded = false;
    const load = async () => {
      loaded = true;
      return { attestProvenance: async () => ({ bundle: {} as never, certificate: '' }) };
    };
    await expect(attestImage({ image: 'a/b', digest: DIGEST, token: 't', env: {} }, load)).rejects.toThrow(
      /id-token: write/,
    );
    await expect(
      attestImage(
        { image: 'a/b', digest: DIGEST, token: undefined, env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'x' } },
        load,
      ),
    ).rejects.toThrow(/github-token/);
    expect(loaded).toBe(false);
  });
});
