/** A package no main bundle may hold, known by a string only it carries; `uses` load it lazily. */
export interface LazyOnlyPackage {
  name: string;
  signature: string;
  uses: string[];
}
export declare const LAZY_ONLY: LazyOnlyPackage[];
/** What is wrong with the chunks in `dist` of the action `name`; empty when nothing is. */
export declare function lazyOnlyProblems(name: string, dist: string): string[];
