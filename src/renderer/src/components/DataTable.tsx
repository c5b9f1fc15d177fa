import { type KeyboardEvent, type ReactNode, useMemo, useRef, useState } from 'react';
import { downloadText, toCsv } from '../csv';

export interface Column<T> {
  key: string;
  header: string;
  /** Plain value: used for sorting, CSV export and (when no render) display. */
  value: (row: T) => string | number | null | undefined;
  render?: (row: T) => ReactNode;
  align?: 'left' | 'right';
  sortable?: boolean;
  /** Long text that may wrap. */
  wrap?: boolean;
  /** Long text cut to one line with "…"; the full value is the cell's tooltip. Needs the table's `fit`. */
  ellipsis?: boolean;
  /** Column width (CSS length or px) under `fit`; columns without one share the rest. */
  width?: number | string;
  title?: string;
}

export interface DataTableProps<T> {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string | number;
  /** Row activated by click or Enter. */
  onActivate?: (row: T) => void;
  activeKey?: string | number | null;
  /** CSV file name; enables the export button. */
  csvName?: string;
  /** Rows rendered before "Show more" (client-side; sorting and CSV use all rows). */
  pageSize?: number;
  initialSort?: { key: string; dir: 'asc' | 'desc' };
  caption?: ReactNode;
  maxHeight?: number;
  /**
   * Fit the box's width (table-layout: fixed): never scroll sideways. Long columns then need `ellipsis` or `wrap`,
   * and narrow ones a `width`, else every column gets an equal share.
   */
  fit?: boolean;
  testId?: string;
}

const isEmpty = (v: unknown): boolean => v == null || v === '' || v === false;

function compare(a: string | number | null | undefined, b: string | number | null | undefined): number {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/**
 * A sortable, exportable table. Keyboard: focus the body (Tab), ArrowUp/ArrowDown/Home/End move the active row,
 * Enter activates it. Values render as React text only (never HTML).
 */
export function DataTable<T>(props: DataTableProps<T>): ReactNode {
  const { columns, rows, rowKey, onActivate, csvName, pageSize = 500 } = props;
  const [sort, setSort] = useState(props.initialSort ?? null);
  const [limit, setLimit] = useState(pageSize);
  const [cursor, setCursor] = useState<number>(-1);
  const bodyRef = useRef<HTMLTableSectionElement>(null);

  const sorted = useMemo(() => {
    if (!sort) return rows;
    const col = columns.find((c) => c.key === sort.key);
    if (!col) return rows;
    const out = rows.slice().sort((a, b) => compare(col.value(a), col.value(b)));
    return sort.dir === 'desc' ? out.reverse() : out;
  }, [rows, columns, sort]);
  const shown = sorted.slice(0, limit);

  const toggleSort = (key: string): void =>
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));

  const activeIndex =
    props.activeKey != null ? shown.findIndex((r) => rowKey(r) === props.activeKey) : Math.min(cursor, shown.length - 1);

  const move = (to: number): void => {
    if (shown.length === 0) return;
    const i = Math.max(0, Math.min(shown.length - 1, to));
    setCursor(i);
    bodyRef.current?.querySelectorAll('tr')[i]?.scrollIntoView({ block: 'nearest' });
  };
  const onKey = (e: KeyboardEvent): void => {
    const cur = activeIndex < 0 ? -1 : activeIndex;
    if (e.key === 'ArrowDown') move(cur + 1);
    else if (e.key === 'ArrowUp') move(cur - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(shown.length - 1);
    else if (e.key === 'Enter' && cur >= 0 && onActivate) onActivate(shown[cur]!);
    else return;
    e.preventDefault();
  };

  const exportCsv = (): void => {
    const header = columns.map((c) => c.header);
    const body = sorted.map((r) => columns.map((c) => c.value(r)));
    downloadText(`${csvName ?? 'table'}.csv`, toCsv([header, ...body]), 'text/csv');
  };

  return (
    <div data-testid={props.testId}>
      {(props.caption != null || csvName) && (
        <div className="table-tools">
          <span>{props.caption}</span>
          <span className="row">
            <span>{rows.length.toLocaleString()} rows</span>
            {csvName && (
              <button type="button" onClick={exportCsv} title="Export all rows (current sort) as CSV">
                Export CSV
              </button>
            )}
          </span>
        </div>
      )}
      <div className="table-wrap" style={props.maxHeight ? { maxHeight: props.maxHeight } : undefined}>
        <table className={`data${props.fit ? ' fit' : ''}`}>
          {props.fit && (
            <colgroup>
              {columns.map((c) => (
                <col key={c.key} style={c.width != null ? { width: c.width } : undefined} />
              ))}
            </colgroup>
          )}
          <thead>
            <tr>
              {columns.map((c) => {
                const sortable = c.sortable !== false;
                const dir = sort?.key === c.key ? sort.dir : null;
                return (
                  <th
                    key={c.key}
                    className={`${sortable ? 'sortable' : ''} ${c.align === 'right' ? 'num' : ''}`}
                    title={c.title}
                    aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none'}
                    onClick={sortable ? () => toggleSort(c.key) : undefined}
                    tabIndex={sortable ? 0 : undefined}
                    onKeyDown={
                      sortable
                        ? (e) => {
                            if (e.key === 'Enter' || e.key === ' ') {
                              e.preventDefault();
                              toggleSort(c.key);
                            }
                          }
                        : undefined
                    }
                  >
                    {c.header}
                    {dir && <span className="arrow">{dir === 'asc' ? '▲' : '▼'}</span>}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody ref={bodyRef} tabIndex={0} onKeyDown={onKey} aria-label="table rows (arrow keys move, Enter opens)">
            {shown.map((r, i) => (
              <tr
                key={rowKey(r)}
                className={`${i === activeIndex ? 'active' : ''} ${onActivate ? 'clickable' : ''}`}
                onClick={() => {
                  setCursor(i);
                  onActivate?.(r);
                }}
              >
                {columns.map((c) => {
                  const val = c.render ? c.render(r) : c.value(r);
                  const plain = c.ellipsis ? c.value(r) : null;
                  return (
                    <td
                      key={c.key}
                      className={`${c.align === 'right' ? 'num' : ''} ${c.wrap ? 'wrap' : ''} ${c.ellipsis ? 'ellipsis' : ''}`}
                      title={plain != null && plain !== '' ? String(plain) : undefined}
                    >
                      {isEmpty(val) ? (
                        <span className="empty-cell">–</span>
                      ) : typeof val === 'number' ? (
                        val.toLocaleString(undefined, { maximumFractionDigits: 4 })
                      ) : (
                        val
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {sorted.length > shown.length && (
        <div className="table-tools">
          <span>
            showing {shown.length.toLocaleString()} of {sorted.length.toLocaleString()}
          </span>
          <button type="button" onClick={() => setLimit((l) => l + pageSize)}>
            Show more
          </button>
        </div>
      )}
    </div>
  );
}
