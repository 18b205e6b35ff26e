import { appendSummary } from './runner.js';
import { redact } from './secrets.js';

export type Cell = string | number | boolean | null | undefined;

/** Colours a chart series can have; the caption names them, since mermaid's xychart draws no legend. */
export const CHART_COLOURS = {
  blue: '#1f6feb',
  red: '#d1242f',
  green: '#1a7f37',
  orange: '#bc4c00',
  purple: '#8250df',
  grey: '#6e7781',
} as const;

export type ChartColour = keyof typeof CHART_COLOURS;

export interface ChartSeries {
  name: string;
  kind?: 'line' | 'bar';
  values: number[];
  /** Without one, each series takes the next colour of CHART_COLOURS in order. */
  colour?: ChartColour;
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

  /** A mermaid chart, with a caption saying which colour is which series. */
  chart(spec: ChartSpec): this {
    if (spec.x.length < 2) return this;
    this.parts.push(`\`\`\`mermaid\n${mermaidXYChart(spec)}\n\`\`\``);
    this.parts.push(`<sub>${chartLegend(spec)}</sub>`);
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
    appendSummary(this.toMarkdown());
  }
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const line = (cells: Cell[]) => `| ${cells.map((c) => escapeCell(c)).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

/** Each series' colour: its own, or the next one of the palette. */
function coloursOf(spec: ChartSpec): ChartColour[] {
  const palette = Object.keys(CHART_COLOURS) as ChartColour[];
  return spec.series.map((series, i) => series.colour ?? palette[i % palette.length]!);
}

/** `blue line: weight · red line: error rate`: what the chart cannot say itself. */
export function chartLegend(spec: ChartSpec): string {
  const colours = coloursOf(spec);
  return spec.series.map((s, i) => `${colours[i]} ${s.kind ?? 'line'}: ${s.name}`).join(' · ');
}

/**
 * A mermaid `xychart-beta` with one or more line/bar series over a shared x
 * axis, coloured through the theme's plot palette (in series order). The x
 * axis is categorical, so repeated labels would draw as separate points with
 * the same name: consecutive points with the same label are merged, the last
 * one kept.
 */
export function mermaidXYChart(spec: ChartSpec): string {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(3)) : 0);
  const keep = spec.x.map((x, i) => i === spec.x.length - 1 || String(spec.x[i + 1]) !== String(x));
  const x = spec.x.filter((_, i) => keep[i]);
  const series = spec.series.map((s) => ({ ...s, values: s.values.filter((_, i) => keep[i]) }));
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const yMin = spec.yMin ?? Math.min(0, ...all);
  const yMax = spec.yMax ?? Math.max(1, ...all.map((v) => Math.ceil(v * 1.1)));
  const palette = coloursOf(spec)
    .map((c) => CHART_COLOURS[c])
    .join(', ');
  const lines = [
    `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${palette}"}}}}%%`,
    'xychart-beta',
    `  title "${spec.title.replace(/"/g, "'")}"`,
    `  x-axis [${x.map((label) => `"${String(label).replace(/"/g, "'")}"`).join(', ')}]`,
    `  y-axis "${spec.yLabel.replace(/"/g, "'")}" ${round(yMin)} --> ${round(yMax)}`,
  ];
  for (const s of series) lines.push(`  ${s.kind ?? 'line'} [${s.values.map(round).join(', ')}]`);
  return lines.join('\n');
}

function escapeCell(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  return String(cell).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function escapeInline(text: string): string {
  return text.replace(/</g, '&lt;');
}
