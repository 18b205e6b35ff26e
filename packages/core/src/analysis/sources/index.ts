/**
 * The sources an analysis is built from, in the order they are judged and
 * reported. Adding a kind of evidence is one file beside this one and one
 * line here (see ../README.md).
 */
import type { AnalysisConfig } from '../config.js';
import type { Evidence, EvidenceSource, SourceFactory } from '../source.js';
import { baselineSources } from './baseline.js';
import { probeSources } from './probe.js';
import { querySources } from './query.js';
import { trafficSources } from './traffic.js';

const factories: SourceFactory[] = [trafficSources, probeSources, querySources, baselineSources];

export function createSources(config: AnalysisConfig, evidence: Evidence): EvidenceSource[] {
  return factories.flatMap((factory) => factory(config, evidence));
}
