// Barrel of the analysis domain: the inputs an analysing action declares, the
// engine that judges a version over a window, and the report it renders.
export { type Comparison, compareToBaseline, type SideSummary } from './baseline.js';
export {
  type AnalysisConfig,
  type BackendSettings,
  type BaselineSettings,
  baselineWindowProblem,
  type EvidencePolicy,
  type HttpOptions,
  type JsonExpectation,
  type LiveComparison,
  PROVIDER_KINDS,
  type ProbeCheck,
  type ProviderKind,
  type ProviderSettings,
  parseJsonPath,
  parseStatusRanges,
  type QueryCheck,
  queryWindowProblems,
  type StatusRange,
  type TrafficSettings,
  valueAtPath,
} from './config.js';
export {
  type AnalyseOptions,
  type AnalysisReport,
  analyse,
  type CheckKind,
  type CheckVerdict,
  type IntervalOutcome,
  type IntervalSnapshot,
  type LatencySummary,
  type Verdict,
} from './engine.js';
export { FILE_KEYS as ANALYSIS_FILE_KEYS, readAnalysisFile, withAnalysisFile } from './file.js';
export { type AnalysisFields, type AnalysisInputs, analysisConfig, analysisFields } from './inputs.js';
export {
  type Evaluation,
  formatLabels,
  formatValue,
  type MetricProvider,
  ProviderError,
  type Series,
} from './metric.js';
export {
  baselineUrlFor,
  type FailureKind,
  type ProbeResult,
  probe,
  type Sample as ProbeSample,
  type Side,
} from './probe.js';
export { providerFor } from './providers/index.js';
export { type HttpAnswer, httpRequest, RequestError } from './request.js';
export { Evidence, type EvidenceSource, type IntervalRound, type SourceFactory } from './source.js';
export { createSources } from './sources/index.js';
export { type Measurement, type MeasurementOutcome, measure } from './sources/query.js';
export {
  dryRunWarnings,
  renderAnalysisSummary,
  type SummaryOptions as AnalysisSummaryOptions,
} from './summary.js';
export {
  expand as expandTemplate,
  PLACEHOLDERS,
  type Placeholder,
  placeholdersIn,
  type SlotScope,
  sideValues,
  type TemplateValues,
  templateProblem,
  withStandIns,
} from './templates.js';
export { type TrafficInputs, type TrafficRouter, trafficConfig, trafficFields } from './traffic-inputs.js';
export {
  byPolicy,
  type IntervalJudgement,
  Tracker,
} from './verdicts.js';
