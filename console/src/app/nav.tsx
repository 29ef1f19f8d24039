// History routing without a library: one location store, a hook, and links that push state.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  pathname: string;
  search: string;
}

const listeners = new Set<() => void>();
let focusPending = false;

/** True once after a navigation to a new page: the page's heading then takes the focus. */
export function takeFocusRequest(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

/** A heading giving way to the next one (a loading title replaced by the page's own) passes the focus on. */
export function passFocusOn(): void {
  focusPending = true;
}

function current(): Location {
  return { pathname: window.location.pathname, search: window.location.search };
}

/** `replace` rewrites the current entry (typing in a search box); `keepFocus` stays on the control that changed the view. */
export function navigate(to: string, options: { replace?: boolean; keepFocus?: boolean } = {}): void {
  const target = new URL(to, window.location.href);
  const here = window.location.pathname + window.location.search;
  if (target.pathname + target.search === here && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', target.pathname + target.search);
  else window.history.pushState(null, '', target.pathname + target.search);
  if (!options.replace && !options.keepFocus) {
    window.scrollTo(0, 0);
    focusPending = true;
  }
  for (const listener of listeners) listener();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-label'?: string;
  'aria-current'?: 'page' | undefined;
}

/** A real link (open in new tab, copy address all work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
