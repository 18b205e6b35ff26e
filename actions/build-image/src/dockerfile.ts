/**
 * Just enough of the Dockerfile grammar to point at a line: instructions with
 * their line numbers (continuations, comments and heredocs understood), grouped
 * into stages, and the label keys the final stage sets. Builders report a
 * failing instruction by stage and step (buildah) or by line (buildx); this
 * turns either into `file:line`.
 */

export interface Instruction {
  keyword: string;
  /** The instruction as written, continuations joined. */
  text: string;
  /** 1-based line of its first line. */
  line: number;
}

export interface Dockerfile {
  /** Instructions before the first FROM (global ARGs). */
  preamble: Instruction[];
  /** One entry per FROM, each starting with that FROM. */
  stages: Instruction[][];
}

export function parseDockerfile(source: string): Dockerfile {
  const lines = source.split(/\r?\n/);
  const preamble: Instruction[] = [];
  const stages: Instruction[][] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    const start = i;
    i++;
    if (/^\s*(#|$)/.test(first)) continue;
    let text = first.trim();
    // A trailing backslash continues the instruction; comment lines inside it are skipped.
    while (text.endsWith('\\') && i < lines.length) {
      text = text.slice(0, -1);
      const next = lines[i++]!;
      if (/^\s*#/.test(next)) {
        text += '\\';
        continue;
      }
      text += ` ${next.trim()}`;
    }
    // Heredocs (`RUN <<EOF … EOF`) carry lines that are not instructions.
    for (const heredoc of text.matchAll(/<<-?["']?(\w+)["']?/g)) {
      const word = heredoc[1]!;
      while (i < lines.length && lines[i]!.trim() !== word) i++;
      i++;
    }
    const keyword = (/^(\S+)/.exec(text)?.[1] ?? '').toUpperCase();
    const instruction = { keyword, text: text.replace(/\s+/g, ' ').trim(), line: start + 1 };
    if (keyword === 'FROM') stages.push([instruction]);
    else if (stages.length === 0) preamble.push(instruction);
    else stages[stages.length - 1]!.push(instruction);
  }
  return { preamble, stages };
}

/** Keys set by LABEL instructions of the final stage (the image's own labels). */
export function finalStageLabels(dockerfile: Dockerfile): Set<string> {
  const keys = new Set<string>();
  const stage = dockerfile.stages[dockerfile.stages.length - 1] ?? [];
  for (const instruction of stage) {
    if (instruction.keyword !== 'LABEL') continue;
    const body = instruction.text.replace(/^\S+\s*/, '');
    const pairs = [...body.matchAll(/("(?:[^"\\]|\\.)*"|[^\s="]+)=/g)];
    if (pairs.length === 0) {
      // The legacy `LABEL key value` form sets one label.
      const key = /^(\S+)/.exec(body)?.[1];
      if (key) keys.add(unquote(key));
    }
    for (const pair of pairs) keys.add(unquote(pair[1]!));
  }
  return keys;
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1).replace(/\\(.)/g, '$1') : text;
}

/** The instruction buildah names as `[stage/n] STEP step/m: text`, if it is one of the Dockerfile's. */
export function instructionAt(
  dockerfile: Dockerfile,
  stage: number,
  step: number,
  stepText: string,
): Instruction | undefined {
  const keyword = (/^(\S+)/.exec(stepText.trim())?.[1] ?? '').toUpperCase();
  const candidate = dockerfile.stages[stage - 1]?.[step - 1];
  if (candidate && candidate.keyword === keyword) return candidate;
  // Fall back to the text, for a Dockerfile whose stages the builder counted differently.
  const normalized = stepText.replace(/\s+/g, ' ').trim();
  return dockerfile.stages.flat().find((i) => i.text === normalized);
}
