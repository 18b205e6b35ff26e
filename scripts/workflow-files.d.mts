/** `.github/workflows/*.yml` and `examples/<name>/workflows/*.yml`, relative to `root`. */
export declare function workflowFiles(root: string): string[];
