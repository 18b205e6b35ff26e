import * as core from '@actions/core';
import { redact } from './secrets.js';

export type Cell = string | number | boolean | null | undefined;

export interface ChartSeries {
  name: string;
  kind?: 'line' | 'bar';
  values: number[];
}

export interface ChartSpec {
  title: string;
  /** Labels of the x axis, one per value of each series. */
  x: Array<string | number>;
  yLabel: string;
  yMin?: number;
  yMax?: number;
  series: ChartSeries[];
}

/**
 * The job summary as a chained builder. It produces GitHub-flavoured markdown
 * (tables, mermaid charts for curves, collapsible details), redacted, and
 * appends it to the step summary file in one write.
 */
export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level: 1 | 2 | 3 | 4 = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${escapeInline(text)}`);
    return this;
  }

  paragraph(text: string): this {
    this.parts.push(text);
    return this;
  }

  /** A callout: `> [!CAUTION]` and friends render as coloured boxes on GitHub. */
  alert(kind: 'NOTE' | 'TIP' | 'WARNING' | 'CAUTION' | 'IMPORTANT', text: string): this {
    this.parts.push(
      `> [!${kind}]\n${text
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')}`,
    );
    return this;
  }

  list(items: string[]): this {
    if (items.length) this.parts.push(items.map((i) => `- ${i}`).join('\n'));
    return this;
  }

  table(headers: string[], rows: Cell[][]): this {
    this.parts.push(markdownTable(headers, rows));
    return this;
  }

  chart(spec: ChartSpec): this {
    if (spec.x.length >= 2) this.parts.push(`\`\`\`mermaid\n${mermaidXYChart(spec)}\n\`\`\``);
    return this;
  }

  details(label: string, body: string): this {
    this.parts.push(`<details><summary>${escapeInline(label)}</summary>\n\n${body}\n\n</details>`);
    return this;
  }

  code(text: string, language = ''): this {
    this.parts.push(`\`\`\`${language}\n${text}\n\`\`\``);
    return this;
  }

  toMarkdown(): string {
    return redact(`${this.parts.join('\n\n')}\n`);
  }

  /** Appends to `GITHUB_STEP_SUMMARY`; outside a runner (no file) it does nothing. */
  async write(): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    await core.summary.addRaw(this.toMarkdown(), true).write();
    core.summary.emptyBuffer();
  }
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => escapeCell(c)).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A mermaid `xychart-beta` with one or more line/bar series over a shared x axis. */
export function mermaidXYChart(spec: ChartSpec): string {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(3)) : 0);
  const all = spec.series.flatMap((s) => s.values).filter(Number.isFinite);
  const yMin = spec.yMin ?? Math.min(0, ...all);
  const yMax = spec.yMax ?? Math.max(1, ...all.map((v) => Math.ceil(v * 1.1)));
  const lines = [
    'xychart-beta',
    `  title "${spec.title.replace(/"/g, "'")}"`,
    `  x-axis [${spec.x.map((x) => `"${String(x).replace(/"/g, "'")}"`).join(', ')}]`,
    `  y-axis "${spec.yLabel.replace(/"/g, "'")}" ${round(yMin)} --> ${round(yMax)}`,
  ];
  for (const series of spec.series)
    lines.push(`  ${series.kind ?? 'line'} [${series.values.map(round).join(', ')}]`);
  return lines.join('\n');
}

function escapeCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  return String(cell).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function escapeInline(text: string): string {
  return text.replace(/</g, '&lt;');
}
