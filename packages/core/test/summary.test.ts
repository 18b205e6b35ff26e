import { describe, expect, it } from 'vitest';
import { markdownTable, mermaidXYChart, registerSecret, Summary } from '../src/index.js';

describe('summary builders', () => {
  it('escapes pipes and new lines in table cells', () => {
    expect(
      markdownTable(
        ['check', 'note'],
        [
          ['a|b', 'one\ntwo'],
          ['c', undefined],
        ],
      ),
    ).toBe('| check | note |\n| --- | --- |\n| a\\|b | one<br>two |\n| c |  |');
  });

  it('draws a mermaid xychart with one line per series', () => {
    const chart = mermaidXYChart({
      title: 'Weight "new"',
      x: ['0s', '5s', '10s'],
      yLabel: 'percent',
      yMin: 0,
      yMax: 100,
      series: [
        { name: 'weight', values: [10, 50, 100] },
        { name: 'errors', kind: 'bar', values: [0, 0.1234, 0] },
      ],
    });
    expect(chart.split('\n')).toEqual([
      'xychart-beta',
      `  title "Weight 'new'"`,
      '  x-axis ["0s", "5s", "10s"]',
      '  y-axis "percent" 0 --> 100',
      '  line [10, 50, 100]',
      '  bar [0, 0.123, 0]',
    ]);
  });

  it('redacts registered secrets from the markdown', () => {
    registerSecret('hunter2-token');
    const md = new Summary().heading('Result').paragraph('token hunter2-token used').toMarkdown();
    expect(md).toBe('## Result\n\ntoken *** used\n');
  });

  it('leaves out a chart with fewer than two points', () => {
    const md = new Summary()
      .chart({ title: 't', x: ['a'], yLabel: 'y', series: [{ name: 's', values: [1] }] })
      .toMarkdown();
    expect(md).not.toContain('mermaid');
  });
});
