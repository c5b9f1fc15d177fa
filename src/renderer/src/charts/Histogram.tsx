import { type ReactNode, useState } from 'react';
import { scaleLinear } from 'd3';
import type { HistogramBin } from '../../../shared/types';
import { FloatingTooltip, type TooltipState } from '../components';
import { Axis } from './Axis';
import { useWidth } from './useWidth';

const M = { top: 18, right: 12, bottom: 34, left: 52 };

/**
 * Bar histogram of pre-binned counts (bins come from the backend). Bars are placed by bin index so that
 * log-spaced bins (1, 2, 3-4, 5-8, ...) stay readable; each bar's tooltip gives its exact range and count.
 */
export function Histogram({ bins, xLabel, yLabel, height = 200, testId }: { bins: HistogramBin[]; xLabel: string; yLabel: string; height?: number; testId?: string }): ReactNode {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [tip, setTip] = useState<TooltipState | null>(null);
  const [hover, setHover] = useState(-1);
  const iw = Math.max(50, width - M.left - M.right);
  const ih = height - M.top - M.bottom;
  const maxC = Math.max(1, ...bins.map((b) => b.count));
  const y = scaleLinear().domain([0, maxC]).nice().range([ih, 0]);
  const bw = iw / Math.max(1, bins.length);
  const label = (b: HistogramBin): string => (b.hi - b.lo <= 1 ? `${b.lo}` : `${b.lo}–${b.hi - 1}`);
  const every = Math.max(1, Math.ceil(bins.length / Math.max(1, Math.floor(iw / 44))));
  return (
    <div ref={ref} data-testid={testId}>
      <svg className="chart" width={width} height={height} role="img" aria-label={`${yLabel} by ${xLabel}`}>
        <g transform={`translate(${M.left},${M.top})`}>
          <g className="grid">
            {y.ticks(5).map((t) => (
              <line key={t} x1={0} x2={iw} y1={y(t)} y2={y(t)} />
            ))}
          </g>
          {bins.map((b, i) => (
            <rect
              key={i}
              className={`bar ${hover === i ? 'hover' : ''}`}
              x={i * bw + 1}
              width={Math.max(1, bw - 2)}
              y={y(b.count)}
              height={Math.max(0, ih - y(b.count))}
              onMouseMove={(e) => {
                setHover(i);
                setTip({ x: e.clientX, y: e.clientY, content: `${xLabel}: ${label(b)}\n${yLabel}: ${b.count.toLocaleString()}` });
              }}
              onMouseLeave={() => {
                setHover(-1);
                setTip(null);
              }}
            />
          ))}
          <g className="axis" transform={`translate(0,${ih})`}>
            <line x1={0} x2={iw} />
            {bins.map((b, i) =>
              i % every === 0 ? (
                <text key={i} x={i * bw + bw / 2} y={14} textAnchor="middle">
                  {label(b)}
                </text>
              ) : null,
            )}
            <text className="label" x={iw} y={30} textAnchor="end">
              {xLabel}
            </text>
          </g>
          <Axis scale={y} orient="left" length={ih} ticks={5} label={yLabel} />
        </g>
      </svg>
      <FloatingTooltip tip={tip} />
    </div>
  );
}
