import { runnerLog } from './log.js';

/** The Octokit instance type without importing @actions/github eagerly. */
export type GitHubClient = ReturnType<typeof import('@actions/github')['getOctokit']>;

/**
 * An authenticated GitHub client with retries and rate-limit throttling,
 * against `GITHUB_API_URL` (GitHub Enterprise Server sets it). Loaded with a
 * dynamic import so actions that never talk to GitHub do not pay for Octokit
 * and its HTTP stack at start-up.
 */
export async function githubClient(
  token: string,
  options: {
    baseUrl?: string;
    /**
     * `false` turns the rate-limit throttling off. Only for tests against a
     * local fake: the throttling spaces writes one second apart, as GitHub asks,
     * which makes a test of many writes take minutes.
     */
    throttle?: boolean;
  } = {},
): Promise<GitHubClient> {
  const [{ getOctokit }, { retry }, { throttling }] = await Promise.all([
    import('@actions/github'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const baseUrl = options.baseUrl ?? process.env.GITHUB_API_URL ?? 'https://api.github.com';
  return getOctokit(
    token,
    {
      baseUrl,
      throttle: {
        enabled: options.throttle ?? true,
        onRateLimit: (
          retryAfter: number,
          request: { method: string; url: string },
          _octokit: unknown,
          retryCount: number,
        ) => {
          runnerLog.warning(
            `GitHub rate limit hit on ${request.method} ${request.url}; retrying after ${retryAfter}s.`,
          );
          return retryCount < 2;
        },
        onSecondaryRateLimit: (retryAfter: number, request: { method: string; url: string }) => {
          runnerLog.warning(
            `GitHub secondary rate limit on ${request.method} ${request.url}; waiting ${retryAfter}s.`,
          );
          return true;
        },
      },
      retry: { doNotRetry: [400, 401, 403, 404, 409, 422] },
    },
    retry,
    throttling,
  ) as GitHubClient;
}
