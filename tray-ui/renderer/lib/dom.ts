// A few DOM helpers: the pages are small enough not to need a framework.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** h('button', { type: 'button', onclick: fn }, 'Send') */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/** Shows a message in a live region; screen readers announce it. */
export function announce(region: HTMLElement, message: string, tone: 'info' | 'error' | 'success' = 'info'): void {
  region.dataset.tone = tone;
  region.textContent = message;
  region.hidden = message === '';
}

/** Disables a button while its work runs, and says so. */
export async function whileBusy<T>(button: HTMLButtonElement, busyLabel: string, work: () => Promise<T>): Promise<T> {
  const label = button.textContent ?? '';
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = busyLabel;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

/** Marks a field invalid with its message (wired through aria-describedby), or clears it. */
export function setFieldError(input: HTMLElement, message: string | undefined): void {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!message) {
    input.removeAttribute('aria-invalid');
    note?.remove();
    return;
  }
  input.setAttribute('aria-invalid', 'true');
  if (!note) {
    note = h('p', { id, class: 'field-error' });
    input.insertAdjacentElement('afterend', note);
    const described = new Set((input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    described.add(id);
    input.setAttribute('aria-describedby', [...described].join(' '));
  }
  note.textContent = message;
}

/** Runs `refresh` every `ms` while the window is visible, and at once when it becomes visible. */
export function whileVisible(ms: number, refresh: () => Promise<void>): void {
  let timer: number | undefined;
  const tick = () => void refresh().catch(() => undefined);
  const arm = () => {
    window.clearInterval(timer);
    timer = document.visibilityState === 'visible' ? window.setInterval(tick, ms) : undefined;
    if (timer !== undefined) tick();
  };
  document.addEventListener('visibilitychange', arm);
  window.addEventListener('focus', tick);
  arm();
}
