import { type ReactNode, useMemo, useState } from 'react';
import { extent, line, scaleLinear, scaleLog } from 'd3';
import { Axis } from './Axis';
import { useWidth } from './useWidth';

export const SERIES_COLORS = ['var(--chart-1)', 'var(--chart-2)', 'var(--chart-3)', 'var(--chart-4)', 'var(--chart-5)', 'var(--chart-6)'];

export interface Series {
  name: string;
  points: [number, number][];
}

const M = { top: 18, right: 16, bottom: 34, left: 56 };

/**
 * Multi-series line chart (metric curves). Hover snaps to the nearest step and lists every series' value there;
 * the legend toggles series. `logY` helps losses that fall over orders of magnitude.
 */
export function LineChart({ series, xLabel = 'step', yLabel = '', height = 240, logY = false, testId }: { series: Series[]; xLabel?: string; yLabel?: string; height?: number; logY?: boolean; testId?: string }): ReactNode {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [hoverX, setHoverX] = useState<number | null>(null);
  const iw = Math.max(50, width - M.left - M.right);
  const ih = height - M.top - M.bottom;
  const shown = series.filter((s) => !hidden.has(s.name) && s.points.length > 0);
  const { x, y } = useMemo(() => {
    const xs = shown.flatMap((s) => s.points.map((p) => p[0]));
    const ys = shown.flatMap((s) => s.points.map((p) => p[1])).filter((v) => !logY || v > 0);
    const [x0 = 0, x1 = 1] = extent(xs);
    const [y0 = 0, y1 = 1] = extent(ys);
    const xScale = scaleLinear().domain([x0, x1 === x0 ? x0 + 1 : x1]).range([0, iw]);
    const yScale = logY
      ? scaleLog().domain([y0 > 0 ? y0 : 1e-6, y1 > y0 ? y1 : y0 * 10 || 1]).range([ih, 0]).nice()
      : scaleLinear().domain([Math.min(0, y0), y1 === y0 ? y0 + 1 : y1]).range([ih, 0]).nice();
    return { x: xScale, y: yScale };
  }, [shown, iw, ih, logY]);
  const path = line<[number, number]>()
    .defined((p) => Number.isFinite(p[1]) && (!logY || p[1] > 0))
    .x((p) => x(p[0]))
    .y((p) => y(p[1]));
  const colorOf = (name: string): string => SERIES_COLORS[series.findIndex((s) => s.name === name) % SERIES_COLORS.length]!;
  const nearest = (pts: [number, number][], sx: number): [number, number] | undefined => {
    let best: [number, number] | undefined;
    for (const p of pts) if (!best || Math.abs(p[0] - sx) < Math.abs(best[0] - sx)) best = p;
    return best;
  };
  const hoverStep = hoverX == null ? null : x.invert(hoverX);
  const hoverRows = hoverStep == null ? [] : shown.map((s) => ({ s, p: nearest(s.points, hoverStep) })).filter((r) => r.p);
  return (
    <div ref={ref} data-testid={testId}>
      <div className="legend" role="group" aria-label="series">
        {series.map((s) => (
          <button
            key={s.name}
            type="button"
            className="link"
            aria-pressed={!hidden.has(s.name)}
            style={{ color: hidden.has(s.name) ? 'var(--muted)' : 'var(--fg)', opacity: hidden.has(s.name) ? 0.5 : 1 }}
            onClick={() =>
              setHidden((h) => {
                const n = new Set(h);
                if (n.has(s.name)) n.delete(s.name);
                else n.add(s.name);
                return n;
              })
            }
          >
            <span className="swatch" style={{ background: colorOf(s.name) }} />
            {s.name}
          </button>
        ))}
      </div>
      <svg
        className="chart"
        width={width}
        height={height}
        role="img"
        aria-label={`${yLabel || 'metrics'} by ${xLabel}`}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const px = e.clientX - r.left - M.left;
          setHoverX(px >= 0 && px <= iw ? px : null);
        }}
        onMouseLeave={() => setHoverX(null)}
      >
        <g transform={`translate(${M.left},${M.top})`}>
          <g className="grid">
            {y.ticks(5).map((t) => (
              <line key={t} x1={0} x2={iw} y1={y(t)} y2={y(t)} />
            ))}
          </g>
          {shown.map((s) => (
            <path key={s.name} d={path(s.points) ?? ''} fill="none" stroke={colorOf(s.name)} strokeWidth={1.6} />
          ))}
          <Axis scale={x} orient="bottom" length={iw} offset={ih} label={xLabel} />
          <Axis scale={y} orient="left" length={ih} ticks={5} label={yLabel} />
          {hoverRows.length > 0 && hoverX != null && (
            <g>
              <line x1={x(hoverRows[0]!.p![0])} x2={x(hoverRows[0]!.p![0])} y1={0} y2={ih} stroke="var(--muted)" strokeDasharray="3,3" />
              {hoverRows.map(({ s, p }) => (
                <circle key={s.name} cx={x(p![0])} cy={y(p![1])} r={3} fill={colorOf(s.name)} />
              ))}
              <g transform={`translate(${Math.min(hoverX + 10, iw - 170)},4)`}>
                <rect width={170} height={16 + 14 * hoverRows.length} rx={4} fill="var(--panel)" stroke="var(--border)" />
                <text x={8} y={13} className="label">
                  {xLabel} {hoverRows[0]!.p![0]}
                </text>
                {hoverRows.map(({ s, p }, i) => (
                  <text key={s.name} x={8} y={27 + 14 * i} fontSize={11} fill={colorOf(s.name)}>
                    {s.name}: {Number(p![1].toPrecision(4))}
                  </text>
                ))}
              </g>
            </g>
          )}
        </g>
      </svg>
    </div>
  );
}
