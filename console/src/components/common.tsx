// Small pieces every page uses: page heading and header, online state, notices, loading text.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { errorMessage } from '../api/errors.js';
import { Link, passFocusOn, takeFocusRequest } from '../app/nav.js';

/** The page's one h1. Focused after navigation so screen readers announce the new page. */
export function PageTitle({ children, title }: { children: ComponentChildren; title: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Outpost`;
  }, [title]);
  useEffect(() => {
    const heading = ref.current;
    const tookFocus = takeFocusRequest();
    if (tookFocus) heading?.focus({ preventScroll: true });
    return () => {
      // A loading title replaced by the page's own: the focus went with the old node (the browser
      // blurs a node the renderer moves or removes), so the next title takes it, unless the
      // person has moved on to something else meanwhile.
      const lost = document.activeElement === heading || document.activeElement === document.body || document.activeElement === null;
      if (tookFocus && lost) passFocusOn();
    };
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

/**
 * The top of a page: its h1, with a link back to the list it belongs to (`parent`), lines under the
 * heading (`children`) and buttons on the right (`actions`).
 */
export function PageHeader(props: {
  title: string;
  /** What the h1 shows when it is more than the plain title (a badge, a muted number). */
  heading?: ComponentChildren;
  parent?: { href: string; label: string };
  class?: string;
  actions?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const { title, parent, children } = props;
  const h1 = <PageTitle title={title}>{props.heading ?? title}</PageTitle>;
  return (
    <div class={props.class ? `page-header ${props.class}` : 'page-header'}>
      {parent || children ? (
        <div>
          {parent ? (
            <p class="breadcrumb">
              <Link href={parent.href}>{parent.label}</Link> /
            </p>
          ) : null}
          {h1}
          {children}
        </div>
      ) : (
        h1
      )}
      {props.actions}
    </div>
  );
}

export function OnlineState({ online }: { online: boolean }) {
  return (
    <span class={online ? 'state state-online' : 'state state-offline'}>
      <span class="dot" aria-hidden="true" />
      {online ? 'Online' : 'Offline'}
    </span>
  );
}

export function ErrorNotice({ error, children }: { error: unknown; children?: ComponentChildren }) {
  return (
    <div class="notice notice-error" role="alert">
      {children}
      {errorMessage(error)}
    </div>
  );
}

/** A form's failure, in the words of errors.ts; nothing while there is none. */
export function FormError({ message }: { message: string | null }) {
  return message ? (
    <p class="notice notice-error" role="alert">
      {message}
    </p>
  ) : null;
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'warning' | 'success' }) {
  return <div class={`notice notice-${kind}`}>{children}</div>;
}

export function Loading({ what }: { what: string }) {
  return <p class="muted loading">Loading {what}…</p>;
}

/** A definition list from label/value pairs, leaving out what is unknown. */
export function Facts({ items, label }: { items: [string, ComponentChildren | null | undefined][]; label?: string }) {
  const known = items.filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (known.length === 0) return <p class="muted">Nothing reported.</p>;
  return (
    <dl class="facts" aria-label={label}>
      {known.map(([k, v]) => (
        <div class="fact" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Badge({
  children,
  kind = 'neutral',
}: {
  children: ComponentChildren;
  kind?: 'neutral' | 'danger' | 'warning' | 'success' | 'info';
}) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}
