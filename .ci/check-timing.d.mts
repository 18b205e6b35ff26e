export interface LoadDependentFinding {
  file: string;
  /** 1-based line of the `expect(`. */
  line: number;
  /** The assertion, on one line. */
  text: string;
  matcher: string;
  why: string;
}

/** Load-dependent-looking assertions in one test file's source (none when every one is justified). */
export function findLoadDependent(source: string, file?: string): LoadDependentFinding[];

/** Every test file (`*.test.{ts,mts,mjs,js}`) under the given files or directories, without node_modules and build output. */
export function testFiles(roots: string[]): string[];

/** How many `// structural: <reason>` comments (not strings) a source has. */
export function countMarkers(source: string): number;
