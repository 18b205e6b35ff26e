export {
  DURATION_LIMITS,
  formatBound,
  formatDuration,
  MAX_TIMER_MS,
  parseDuration,
} from './duration.js';
export type { Field, FieldResult } from './fields.js';
export * as input from './fields.js';
export { describeZodIssues } from './fields.js';
export { type Fields, type Parsed, type RawInputs, readInputs, requireInputs, runnerInputs } from './read.js';
