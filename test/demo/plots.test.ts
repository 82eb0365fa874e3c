import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { curvesPng, curvesSpec } from '../../src/demo/plots.js';

describe('curvesPng', () => {
  it('draws the curves as a PNG at twice the CSS size, on white', async () => {
    const values = (a: number) => Array.from({ length: 50 }, (_, i) => a + Math.exp(-i / 10));
    const png = PNG.sync.read(
      await curvesPng('Test: loss', 'loss', [
        { name: 'hinge', values: values(1) },
        { name: 'bce', values: values(2) },
      ]),
    );
    // 640 x 320 plot area plus title, axes and legend, rendered at 2x.
    expect(png.width).toBeGreaterThan(1280);
    expect(png.height).toBeGreaterThan(640);
    expect(Array.from(png.data.subarray(0, 4))).toEqual([255, 255, 255, 255]);
    // Lines and text: many pixels are neither white nor grey.
    let coloured = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = png.data.subarray(i, i + 3);
      if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
    }
    expect(coloured).toBeGreaterThan(500);
  });

  it('draws a single step as points', async () => {
    const png = await curvesPng('One step', 'loss', [{ name: 'hinge', values: [1] }]);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('tells the runs apart by dash pattern as well as by hue, in one legend', async () => {
    const spec = curvesSpec('t', 'loss', [
      { name: 'hinge', values: [1, 2] },
      { name: 'bce', values: [2, 1] },
    ]) as unknown as { encoding: Record<string, { field: string; sort: string[]; title: string }> };
    expect(spec.encoding.strokeDash).toEqual(spec.encoding.color);
    expect(spec.encoding.strokeDash.field).toBe('run');
    // The rendered SVG dashes one of the two lines.
    const vega = await import('vega');
    const vegaLite = await import('vega-lite');
    const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), {
      renderer: 'none',
    });
    const svg = await view.toSVG();
    view.finalize();
    expect(svg).toMatch(/stroke-dasharray="[\d.]+[, ][\d.]+/);
  });
});
