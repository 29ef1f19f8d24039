// "Possible duplicate of X": a device enrolled on a weak hint (a machine name, a MAC, the install id)
// or on a strong one while the other device was connected. IT merges it into the other device, after
// a confirmation, or leaves both.
import { useState } from 'preact/hooks';
import type { DeviceDetailJson, DuplicateReasonJson } from '../../../../shared/http-api.js';
import { api, apiWith } from '../../api/client.js';
import { errorMessage } from '../../api/errors.js';
import { announce } from '../../app/announce.js';
import { Link, navigate } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { Notice } from '../../components/common.js';
import { href } from '../../lib/routes.js';

const WHY: Record<DuplicateReasonJson, string> = {
  hostname: 'it has the same machine name',
  mac: 'it has the same network adapter (MAC address)',
  'install-id': 'it has the same OS install id',
  serial: 'it has the same serial number',
  uuid: 'it has the same system UUID',
  'serial-in-use': 'it has the same serial number while that device was connected',
  'uuid-in-use': 'it has the same system UUID while that device was connected',
};

export function DuplicateNotice({ device: d }: { device: DeviceDetailJson }) {
  const [confirming, setConfirming] = useState(false);
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const duplicate = d.duplicateOf;
  // For the other device's name; the flag itself needs nothing more than the device.
  const identity = useLoad(
    async (signal) => (duplicate ? apiWith('GET /api/devices/:id/identity', { path: { id: d.id } }, signal) : null),
    [d.id, duplicate?.deviceId],
  );
  if (!duplicate) return null;
  const otherName = identity.data?.duplicateOf?.hostname ?? 'another device';

  async function merge(into: string) {
    setState({ busy: true, error: null });
    try {
      await api('POST /api/devices/:id/merge', { path: { id: d.id }, body: { into } });
      announce(`${d.hostname} was merged into the other device.`);
      navigate(href.device(into));
    } catch (err) {
      setState({ busy: false, error: errorMessage(err) });
    }
  }

  return (
    <Notice kind="warning">
      <span data-testid="possible-duplicate">
        Possible duplicate of <Link href={href.device(duplicate.deviceId)}>{otherName}</Link>: {WHY[duplicate.reason]}. It was kept as a new
        device rather than handed that device's record.
      </span>{' '}
      {confirming ? (
        <span class="confirm" role="group" aria-label="Confirm the merge">
          <span>Merge? The other device takes over this one's agent, tickets and history; this device disappears.</span>
          <button
            type="button"
            class="button button-small button-danger"
            disabled={state.busy}
            onClick={() => void merge(duplicate.deviceId)}
          >
            {state.busy ? 'Merging…' : 'Yes, merge'}
          </button>
          <button type="button" class="button button-small" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" class="button button-small" onClick={() => setConfirming(true)}>
          Merge into that device
        </button>
      )}
      {state.error ? (
        <p class="notice notice-error" role="alert">
          {state.error}
        </p>
      ) : null}
    </Notice>
  );
}
