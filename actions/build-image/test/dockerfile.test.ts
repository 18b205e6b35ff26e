import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { finalStageLabels, instructionAt, parseDockerfile } from '../src/dockerfile.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('parseDockerfile', () => {
  const dockerfile = parseDockerfile(readFileSync(path.join(fixtures, 'multi-stage.Dockerfile'), 'utf8'));

  it('groups instructions into stages with their first line', () => {
    expect(dockerfile.stages.map((s) => s.map((i) => `${i.line}:${i.keyword}`))).toEqual([
      ['2:FROM', '3:COPY', '4:COPY'],
      ['7:FROM', '8:LABEL', '9:COPY', '10:COPY', '11:ENTRYPOINT'],
    ]);
    expect(dockerfile.stages[0]![2]!.text).toBe('COPY hello.txt /src/hello.txt');
  });

  it('skips heredoc bodies, comments inside continuations and global ARGs', () => {
    const parsed = parseDockerfile(
      [
        'ARG BASE=scratch',
        'FROM $BASE',
        'RUN <<EOF',
        'FROM not-an-instruction',
        'EOF',
        'RUN a \\',
        '# a comment inside',
        '  && b',
        'COPY x /x',
      ].join('\n'),
    );
    expect(parsed.preamble.map((i) => i.keyword)).toEqual(['ARG']);
    expect(parsed.stages).toHaveLength(1);
    expect(parsed.stages[0]!.map((i) => `${i.line}:${i.keyword}`)).toEqual([
      '2:FROM',
      '3:RUN',
      '6:RUN',
      '9:COPY',
    ]);
  });

  it("reads the final stage's label keys in both LABEL forms", () => {
    expect([...finalStageLabels(dockerfile)].sort()).toEqual([
      'org.example.own',
      'org.opencontainers.image.title',
    ]);
    const legacy = parseDockerfile(
      'FROM scratch AS a\nLABEL ignored=1\nFROM scratch\nLABEL maintainer Jane Doe\nLABEL "quoted key"="v" b=2\n',
    );
    expect([...finalStageLabels(legacy)].sort()).toEqual(['b', 'maintainer', 'quoted key']);
  });

  it('finds the instruction buildah names by stage and step, or by its text', () => {
    expect(instructionAt(dockerfile, 2, 3, 'COPY --from=tools /bin/busybox /bin/busybox')?.line).toBe(9);
    expect(instructionAt(dockerfile, 1, 3, 'COPY hello.txt      /src/hello.txt')?.line).toBe(4);
    // Steps buildah appends itself (the --label step) are no line of the Dockerfile.
    expect(instructionAt(dockerfile, 2, 6, 'LABEL "a"="b"')).toBeUndefined();
  });
});
