/** The shell's component kit: every view uses these rather than forking its own. */
export { DataTable, type Column, type DataTableProps } from './DataTable';
export { ProgressBar, type ProgressBarProps } from './ProgressBar';
export { EmptyState } from './EmptyState';
export { Select, type SelectOption } from './Select';
export { Tabs, type TabDef } from './Tabs';
export { Tooltip, FloatingTooltip, type TooltipState } from './Tooltip';
export { ErrorBox, errorDetails } from './ErrorBox';
export { Dialog } from './Dialog';
export { StatusPill, fmtDuration, fmtWhen } from './StatusPill';
export { useRunProgress, useRuns } from '../hooks';
