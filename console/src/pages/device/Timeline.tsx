// What changed on the device and why, newest first. New entries arrive live and are marked.
import { useRef, useState } from 'preact/hooks';
import type { ChangeJson } from '../../../../shared/http-api.js';
import { apiWith } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useLive } from '../../app/live.js';
import { useLoad, useLoadOlder } from '../../app/use-load.js';
import { Badge, ErrorNotice } from '../../components/common.js';
import { sectionName, summariseChange, triggerName } from '../../lib/changes.js';
import { formatDateTime } from '../../lib/format.js';
import { PAGE_SIZE } from '../../lib/list-query.js';
import { Section } from './DeviceSections.js';

const LINES_SHOWN = 6;

export function Timeline({ deviceId }: { deviceId: string }) {
  /** The newest changes, or those before `before`. */
  const changes = (signal: AbortSignal | undefined, before?: number) =>
    apiWith('GET /api/devices/:id/changes', { path: { id: deviceId }, query: { limit: PAGE_SIZE, before } }, signal);
  const timeline = useLoad((signal) => changes(signal), [deviceId]);
  const older = useLoadOlder(timeline, (before) => changes(undefined, before), 'Could not load older changes');
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const refresh = useRef<AbortController | null>(null);

  useLive('inventory', (e) => {
    if (e.deviceId !== deviceId) return;
    refresh.current?.abort();
    const controller = new AbortController();
    refresh.current = controller;
    changes(controller.signal).then(
      (page) => {
        const known = new Set(timeline.data?.items.map((c) => c.id));
        const added = page.items.filter((c) => !known.has(c.id));
        if (added.length === 0) return;
        setFresh((f) => new Set([...f, ...added.map((c) => c.id)]));
        timeline.setData((current) => ({
          ...current,
          items: [...added, ...current.items.filter((c) => !added.some((a) => a.id === c.id))],
        }));
        announce(`New change on this device: ${summariseChange(added[0]!).headline}.`);
      },
      () => undefined,
    );
  });

  return (
    <Section id="timeline" title="Timeline of changes">
      {timeline.error ? <ErrorNotice error={timeline.error} /> : null}
      {timeline.data && timeline.data.items.length === 0 ? <p class="muted">No changes recorded yet.</p> : null}
      <ol class="timeline" aria-label="Changes, newest first" data-testid="timeline">
        {timeline.data?.items.map((c) => (
          <ChangeEntry key={c.id} change={c} fresh={fresh.has(c.id)} />
        ))}
      </ol>
      {timeline.data?.nextBefore ? (
        <button type="button" class="button" onClick={() => void older.loadOlder()} disabled={older.busy}>
          {older.busy ? 'Loading…' : 'Show older changes'}
        </button>
      ) : null}
    </Section>
  );
}

function ChangeEntry({ change, fresh }: { change: ChangeJson; fresh: boolean }) {
  const summary = summariseChange(change);
  const first = summary.lines.slice(0, LINES_SHOWN);
  const rest = summary.lines.slice(LINES_SHOWN);
  return (
    <li class={fresh ? 'change is-new' : 'change'} data-section={change.section}>
      <div class="change-head">
        <time dateTime={change.at}>{formatDateTime(change.at)}</time>
        <Badge kind="info">{triggerName(change.trigger)}</Badge>
        <span class="visually-hidden">{sectionName(change.section)}</span>
        {fresh ? <Badge kind="success">New</Badge> : null}
      </div>
      <p class="change-headline">{summary.headline}</p>
      {summary.lines.length > 1 || (summary.lines.length === 1 && summary.lines[0] !== summary.headline.replace(/^[^:]+: /, '')) ? (
        <ul class="change-lines">
          {first.map((line, i) => (
            <li key={i}>{line}</li>
          ))}
        </ul>
      ) : null}
      {rest.length ? (
        <details>
          <summary>Show {rest.length} more</summary>
          <ul class="change-lines">
            {rest.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </li>
  );
}
