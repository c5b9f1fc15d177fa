import { type ReactNode, useState } from 'react';

export interface TooltipState {
  x: number;
  y: number;
  content: ReactNode;
}

/** A floating tooltip at viewport coordinates (charts set it from mouse events); text only. */
export function FloatingTooltip({ tip }: { tip: TooltipState | null }): ReactNode {
  if (!tip) return null;
  const left = Math.min(tip.x + 12, window.innerWidth - 330);
  return (
    <div className="tooltip" role="tooltip" style={{ left, top: tip.y + 12 }}>
      {tip.content}
    </div>
  );
}

/** Hover/focus tooltip around any element. */
export function Tooltip({ text, children }: { text: string; children: ReactNode }): ReactNode {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const show = (x: number, y: number): void => setTip({ x, y, content: text });
  return (
    <span
      className="tooltip-anchor"
      onMouseMove={(e) => show(e.clientX, e.clientY)}
      onMouseLeave={() => setTip(null)}
      onFocus={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        show(r.left, r.bottom);
      }}
      onBlur={() => setTip(null)}
    >
      {children}
      <FloatingTooltip tip={tip} />
    </span>
  );
}
