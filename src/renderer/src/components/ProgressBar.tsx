import type { ReactNode } from 'react';

export interface ProgressBarProps {
  done: number;
  total: number;
  phase?: string;
  /** Shows a Cancel button when given. */
  onCancel?: () => void;
  cancelling?: boolean;
  label?: string;
}

/** A determinate bar (indeterminate when total is 0) with the phase, counts and an optional Cancel button. */
export function ProgressBar({ done, total, phase, onCancel, cancelling, label }: ProgressBarProps): ReactNode {
  const frac = total > 0 ? Math.max(0, Math.min(1, done / total)) : 0;
  const pct = Math.round(frac * 100);
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label ?? phase ?? 'progress'}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={total > 0 ? pct : undefined}
    >
      <div className="bar">
        <div className={`fill ${total > 0 ? '' : 'indeterminate'}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="text">
        {phase ? `${phase} · ` : ''}
        {total > 0 ? `${done.toLocaleString()} / ${total.toLocaleString()} (${pct}%)` : 'working…'}
      </span>
      {onCancel && (
        <button type="button" className="danger" onClick={onCancel} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
    </div>
  );
}
