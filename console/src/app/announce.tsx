// One polite live region for the whole console: "Saved", "Scan requested", "3 devices found".
// Screen readers hear it; everyone sees it briefly in the status bar.
import { useEffect, useState } from 'preact/hooks';

let setMessage: ((message: { text: string; id: number }) => void) | null = null;
let counter = 0;

export function announce(text: string): void {
  counter += 1;
  setMessage?.({ text, id: counter });
}

export function LiveRegion() {
  const [message, set] = useState<{ text: string; id: number } | null>(null);
  useEffect(() => {
    setMessage = set;
    return () => {
      setMessage = null;
    };
  }, []);
  useEffect(() => {
    if (!message) return undefined;
    const timer = window.setTimeout(() => set(null), 6000);
    return () => window.clearTimeout(timer);
  }, [message]);
  return (
    <div class="status-bar" role="status" aria-live="polite" data-testid="status-message">
      {message ? <span key={message.id}>{message.text}</span> : null}
    </div>
  );
}
