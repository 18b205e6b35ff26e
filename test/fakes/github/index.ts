/**
 * The GitHub REST API fake for tests, validated against GitHub's OpenAPI description.
 *
 *   const fake = await startGitHubFake({ repos: ['acme/shop'] });
 *   // point the code under test at fake.url (GITHUB_API_URL) with fake.token
 *   ...
 *   fake.assertNoViolations(); // fails on any request GitHub would have refused
 *   await fake.close();        // fails if the fake ever answered against its own schema
 */
export type { DeploymentJson, DeploymentStatusJson } from './deployments.js';
export { validateBody } from './openapi.js';
export {
  type GitHubFake,
  type GitHubFakeOptions,
  type RecordedRequest,
  servedOperationSpecs,
  startGitHubFake,
  type Violation,
} from './server.js';
