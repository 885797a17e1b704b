import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** One line of a chart. */
export interface Line {
  readonly label: string;
  readonly color: string;
}

/**
 * A time chart drawn by uPlot (docs/dependencies.md): created once per mount, then only fed new
 * data, which is what uPlot is fast at. `data` is [times in s, one series per line].
 */
export function Chart(props: { title: string; lines: readonly Line[]; data: readonly (readonly number[])[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { title, lines, data } = props;

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const options: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 180,
      series: [{}, ...lines.map((line) => ({ label: line.label, stroke: line.color, width: 2 }))],
      axes: [{}, { size: 56 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      legend: { live: false },
    };
    plot.current = new uPlot(options, [[], ...lines.map(() => [])], el);
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, el.clientWidth), height: 180 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [lines]);

  useEffect(() => {
    plot.current?.setData(data.map((series) => [...series]) as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
