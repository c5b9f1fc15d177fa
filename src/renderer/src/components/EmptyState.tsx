import type { ReactNode } from 'react';

/** Says what is missing and what to do next (a button or the CLI command that produces the data). */
export function EmptyState({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }): ReactNode {
  return (
    <div className="empty" role="status">
      <div className="title">{title}</div>
      {children && <div>{children}</div>}
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}
