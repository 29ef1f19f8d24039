// Table parts: a sortable column header (a button inside th, aria-sort on th), a pager, rows that open.
import type { ComponentChildren } from 'preact';
import { navigate } from '../app/nav.js';
import { rangeText } from '../lib/format.js';

/** A row's click handler: a click anywhere on it opens `to`, except on its own links and buttons. */
export function openOnClick(to: string) {
  return (event: MouseEvent) => {
    if ((event.target as Element).closest('a, button')) return;
    navigate(to);
  };
}

export function SortHeader<S extends string>(props: {
  label: string;
  column: S;
  sort: S;
  order: 'asc' | 'desc';
  onSort: (column: S) => void;
  class?: string;
}) {
  const active = props.sort === props.column;
  const ariaSort = active ? (props.order === 'asc' ? 'ascending' : 'descending') : 'none';
  return (
    <th scope="col" aria-sort={ariaSort} class={props.class}>
      <button type="button" class="sort" onClick={() => props.onSort(props.column)}>
        {props.label}
        <span class="sort-mark" aria-hidden="true">
          {active ? (props.order === 'asc' ? '▲' : '▼') : '↕'}
        </span>
      </button>
    </th>
  );
}

export function Pager(props: { offset: number; shown: number; total: number; onPrev: () => void; onNext: () => void; label: string }) {
  const hasPrev = props.offset > 0;
  const hasNext = props.offset + props.shown < props.total;
  return (
    <nav class="pager" aria-label={props.label}>
      <span class="pager-range" data-testid="pager-range">
        {rangeText(props.offset, props.shown, props.total)}
      </span>
      <button type="button" class="button" onClick={props.onPrev} disabled={!hasPrev}>
        Previous
      </button>
      <button type="button" class="button" onClick={props.onNext} disabled={!hasNext}>
        Next
      </button>
    </nav>
  );
}

export function EmptyRow({ colSpan, children }: { colSpan: number; children: ComponentChildren }) {
  return (
    <tr>
      <td colSpan={colSpan} class="empty">
        {children}
      </td>
    </tr>
  );
}
