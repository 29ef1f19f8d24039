// Adds a note. Internal is preselected: a remark reaches the requester only when IT says so.
import { useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { FormError } from '../../components/common.js';

export function NoteForm({ ticketId, onAdded }: { ticketId: number; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [visibility, setVisibility] = useState<'customer' | 'internal'>('internal');
  const { busy, error, run } = useAction();

  async function submit(event: Event) {
    event.preventDefault();
    if (!text.trim()) return;
    await run(async () => {
      await api('POST /api/tickets/:id/notes', { path: { id: ticketId }, body: { text: text.trim(), visibility } });
      setText('');
      setVisibility('internal');
      announce(visibility === 'customer' ? 'Note added and sent to the requester.' : 'Internal note added.');
      onAdded();
    });
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="add-note-title">
      <h2 id="add-note-title">Add a note</h2>
      <div class="field">
        <label for="note-text">Note text</label>
        <textarea id="note-text" rows={4} maxLength={20000} required value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <fieldset class="radio-group">
        <legend>Who sees it</legend>
        <label>
          <input
            type="radio"
            name="note-visibility"
            value="internal"
            checked={visibility === 'internal'}
            onChange={() => setVisibility('internal')}
          />
          Internal (IT only)
        </label>
        <label>
          <input
            type="radio"
            name="note-visibility"
            value="customer"
            checked={visibility === 'customer'}
            onChange={() => setVisibility('customer')}
          />
          Customer-facing (sent to the requester)
        </label>
      </fieldset>
      <FormError message={error} />
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add note'}
      </button>
    </form>
  );
}
