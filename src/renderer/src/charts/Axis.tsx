import type { ReactNode } from 'react';

type Scale = ((v: number) => number) & { ticks(n?: number): number[] };

/** An SVG axis drawn by React from a d3 scale (no DOM mutation, so it re-renders like any component). */
export function Axis({ scale, orient, length, ticks = 6, format = fmtTick, label, offset = 0 }: {
  scale: Scale;
  orient: 'bottom' | 'left';
  length: number;
  ticks?: number;
  format?: (v: number) => string;
  label?: string;
  offset?: number;
}): ReactNode {
  const values = scale.ticks(ticks);
  if (orient === 'bottom') {
    return (
      <g className="axis" transform={`translate(0,${offset})`}>
        <line x1={0} x2={length} y1={0} y2={0} />
        {values.map((v) => (
          <g key={v} transform={`translate(${scale(v)},0)`}>
            <line y2={4} />
            <text y={14} textAnchor="middle">
              {format(v)}
            </text>
          </g>
        ))}
        {label && (
          <text className="label" x={length} y={30} textAnchor="end">
            {label}
          </text>
        )}
      </g>
    );
  }
  return (
    <g className="axis">
      <line x1={0} x2={0} y1={0} y2={length} />
      {values.map((v) => (
        <g key={v} transform={`translate(0,${scale(v)})`}>
          <line x2={-4} />
          <text x={-7} dy="0.32em" textAnchor="end">
            {format(v)}
          </text>
        </g>
      ))}
      {label && (
        <text className="label" x={4} y={-8} textAnchor="start">
          {label}
        </text>
      )}
    </g>
  );
}

export function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  if (a > 0 && a < 0.01) return v.toExponential(0);
  return String(+v.toFixed(3));
}
