import { OperationError } from '@glidepath/core';

type AttestModule = Pick<typeof import('@actions/attest'), 'attestProvenance'>;

export interface AttestationResult {
  id: string | undefined;
  url: string | undefined;
}

/**
 * A GitHub build-provenance attestation for the pushed digest, the
 * buildah-side counterpart of buildx's `--provenance`. It signs with the run's
 * OIDC identity, so it works on GitHub-hosted runs with `id-token: write`;
 * @actions/attest (and its Sigstore stack) is loaded only when asked for.
 */
export async function attestImage(
  input: { image: string; digest: string; token: string | undefined; env?: NodeJS.ProcessEnv },
  load: () => Promise<AttestModule> = () => import('@actions/attest'),
): Promise<AttestationResult> {
  const env = input.env ?? process.env;
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL)
    throw new OperationError(
      'attest: true needs an OIDC token: give the job `permissions: id-token: write, attestations: write` (GitHub-hosted runs).',
    );
  if (!input.token) throw new OperationError('attest: true needs the github-token input.');
  const [algorithm, hex] = input.digest.split(':') as [string, string];
  const { attestProvenance } = await load();
  const attestation = await attestProvenance({
    // An image attestation names the repository without registry tag, digest as the subject (as GitHub documents).
    subjects: [{ name: input.image, digest: { [algorithm]: hex } }],
    token: input.token,
  });
  const repository = env.GITHUB_REPOSITORY;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    id: attestation.attestationID,
    url:
      attestation.attestationID && repository
        ? `${server}/${repository}/attestations/${attestation.attestationID}`
        : undefined,
  };
}
