// Enrolments that continued this device (a reimage on the same serial), possible duplicates that
// appeared, and merges into it: who became this device, and when. Shown only when there is any.
import type { DeviceIdentityJson } from '../../../../shared/http-api.js';
import { apiWith } from '../../api/client.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { formatDateTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { Section } from './DeviceSections.js';

type IdentityEvent = DeviceIdentityJson['events'][number];

function describe(e: IdentityEvent) {
  const text = (key: string) => (typeof e.detail[key] === 'string' ? e.detail[key] : null);
  if (e.kind === 'continued') {
    return `An agent enrolled again and continued this device (same ${text('matchedBy') === 'uuid' ? 'system UUID' : 'serial number'}) as ${text('hostname') ?? 'unknown'}${text('remote') ? ` from ${text('remote')}` : ''}.`;
  }
  const other = text(e.kind === 'merged' ? 'from' : 'deviceId');
  if (e.kind === 'merged')
    return (
      <>
        Merged with {other ? <Link href={href.device(other)}>{text('hostname') ?? 'a device'}</Link> : 'a device'}: its agent now reports
        here.
      </>
    );
  return (
    <>
      {other ? <Link href={href.device(other)}>{text('hostname') ?? 'A new device'}</Link> : 'A new device'} enrolled as a possible
      duplicate of this one ({text('reason') ?? 'unknown'}).
    </>
  );
}

export function IdentityHistory({ deviceId, version }: { deviceId: string; version: number }) {
  const identity = useLoad((signal) => apiWith('GET /api/devices/:id/identity', { path: { id: deviceId } }, signal), [deviceId, version]);
  const events = identity.data?.events ?? [];
  if (events.length === 0) return null;
  return (
    <Section id="identity" title="Identity">
      <ul class="identity-events" data-testid="identity-events">
        {events.map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <time dateTime={e.at}>{formatDateTime(e.at)}</time> {describe(e)}
          </li>
        ))}
      </ul>
    </Section>
  );
}
