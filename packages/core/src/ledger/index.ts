export * from './claim.js';
export { type CreateLedgerOptions, createLedger, defaultLedgerFile } from './create.js';
export { FileLedger, type FileLedgerOptions } from './file.js';
export { GitHubLedger, type GitHubLedgerOptions } from './github.js';
export { descriptionLimit, runLogUrl, truncateDescription } from './history.js';
export * from './ledger.js';
