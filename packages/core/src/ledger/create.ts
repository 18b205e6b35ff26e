import { GlidepathError } from '../errors.js';
import { FileLedger, type FileLedgerOptions } from './file.js';
import { GitHubLedger, type GitHubLedgerOptions } from './github.js';
import type { Ledger } from './ledger.js';

export interface CreateLedgerOptions {
  /**
   * `auto` (default): GitHub Deployments when a token and a repository are
   * available — the normal case in a workflow, where people look for
   * deployments — else the JSON file (local runs, the demo). `github` or
   * `file` forces one; `github` without a token or repository is an error.
   */
  store?: 'auto' | 'github' | 'file';
  token?: string;
  /** `owner/name`; default `GITHUB_REPOSITORY`. */
  repository?: string;
  /** The ledger file; default `.glidepath/ledger.json` in the working directory. */
  file?: string;
  github?: Omit<GitHubLedgerOptions, 'token' | 'repository'>;
  fileOptions?: FileLedgerOptions;
}

export const defaultLedgerFile = '.glidepath/ledger.json';

/** The ledger to use, chosen as `store` says; `describe()` tells which for the log. */
export function createLedger(options: CreateLedgerOptions = {}): Ledger {
  const store = options.store ?? 'auto';
  const repository = options.repository || process.env.GITHUB_REPOSITORY || undefined;
  const token = options.token || undefined;
  if (store === 'github' || (store === 'auto' && token && repository)) {
    if (!token || !repository)
      throw new GlidepathError(
        `The GitHub ledger needs ${!token ? 'a token' : 'a repository (owner/name, GITHUB_REPOSITORY)'}; ` +
          'pass one, or use the ledger file.',
      );
    return new GitHubLedger({ ...options.github, token, repository });
  }
  return new FileLedger(options.file || defaultLedgerFile, options.fileOptions);
}
