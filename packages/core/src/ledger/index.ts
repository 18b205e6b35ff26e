export * from './claim.js';
export { type CreateLedgerOptions, createLedger, defaultLedgerFile } from './create.js';
export { FileLedger, type FileLedgerOptions } from './file.js';
export { GitHubLedger, type GitHubLedgerOptions } from './github.js';
export * from './ledger.js';
export { descriptionLimit, runLogUrl, truncateDescription } from './rules.js';
