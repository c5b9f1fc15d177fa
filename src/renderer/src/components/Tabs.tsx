import { type KeyboardEvent, type ReactNode, useRef } from 'react';

export interface TabDef {
  id: string;
  label: string;
}

/** WAI-ARIA tabs: ArrowLeft/ArrowRight move between tabs; the panel content is the caller's children. */
export function Tabs(props: { tabs: TabDef[]; active: string; onChange: (id: string) => void; children?: ReactNode; label?: string }): ReactNode {
  const { tabs, active, onChange } = props;
  const ref = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent): void => {
    const i = tabs.findIndex((t) => t.id === active);
    let j = i;
    if (e.key === 'ArrowRight') j = (i + 1) % tabs.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
    else return;
    e.preventDefault();
    onChange(tabs[j]!.id);
    ref.current?.querySelectorAll<HTMLButtonElement>('[role=tab]')[j]?.focus();
  };
  return (
    <div>
      <div className="tabs" role="tablist" aria-label={props.label} ref={ref} onKeyDown={onKey}>
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={t.id === active}
            tabIndex={t.id === active ? 0 : -1}
            onClick={() => onChange(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" aria-labelledby={`tab-${active}`}>
        {props.children}
      </div>
    </div>
  );
}
