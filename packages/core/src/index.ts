export * from './analysis/index.js';
export { type Clock, systemClock } from './clock.js';
export { splitCommand } from './command-line.js';
export * from './deployer.js';
export * from './errors.js';
export { type GitHubClient, githubClient } from './github.js';
export * from './inputs/index.js';
export * from './ledger/index.js';
export { type AnnotationTarget, type Logger, runnerLog, setFailed } from './log.js';
export { setOutputs } from './outputs.js';
export {
  childEnvironment,
  GHA_CACHE_VARIABLES,
  ProcessError,
  type ProcessOptions,
  type ProcessResult,
  ProcessStoppedError,
  runProcess,
} from './process.js';
export { type RetryOptions, retry, sleep } from './retry.js';
export { CancelledError, type Entry, type RunContext, run } from './run.js';
export {
  containsSecret,
  displayUrl,
  headersForRedirect,
  isCredentialName,
  isSecretHeader,
  maskCredentials,
  redact,
  registerKubeconfigSecrets,
  registerSecret,
  registerUrlSecrets,
  resetSecretsForTest,
} from './secrets.js';
export { isPostEntry, PostState } from './state.js';
export {
  type Cell,
  type ChartSeries,
  type ChartSpec,
  markdownTable,
  mermaidXYChart,
  Summary,
} from './summary.js';
export * from './traffic/index.js';
