// The devices list's posture filters (issue 18): low disk space, disk encryption, reboot required
// and firewall, each a select whose value is in the address like the other filters.
import type { DeviceView, EncryptionChoice, LowDiskChoice } from '../lib/device-query.js';

const LOW_DISK_LABELS: Record<LowDiskChoice, string> = {
  '': 'Any',
  '5': 'Under 5 % free',
  '10': 'Under 10 % free',
  '20': 'Under 20 % free',
};
const ENCRYPTION_LABELS: Record<EncryptionChoice, string> = {
  '': 'Any',
  off: 'Not encrypted',
  partial: 'Partly encrypted',
  on: 'Encrypted',
  unknown: 'Not reported',
};

export function PostureFilters({ view, show }: { view: DeviceView; show: (next: DeviceView) => void }) {
  const set = (patch: Partial<DeviceView>) => show({ ...view, ...patch, page: 1 });
  return (
    <>
      <div class="field">
        <label for="device-low-disk">Disk space</label>
        <select id="device-low-disk" value={view.lowDisk} onChange={(e) => set({ lowDisk: e.currentTarget.value as LowDiskChoice })}>
          {Object.entries(LOW_DISK_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="device-encryption">Disk encryption</label>
        <select
          id="device-encryption"
          value={view.encryption}
          onChange={(e) => set({ encryption: e.currentTarget.value as EncryptionChoice })}
        >
          {Object.entries(ENCRYPTION_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="device-reboot">Reboot</label>
        <select
          id="device-reboot"
          value={view.rebootRequired}
          onChange={(e) => set({ rebootRequired: e.currentTarget.value as DeviceView['rebootRequired'] })}
        >
          <option value="">Any</option>
          <option value="true">Reboot required</option>
        </select>
      </div>
      <div class="field">
        <label for="device-firewall">Firewall</label>
        <select
          id="device-firewall"
          value={view.firewall}
          onChange={(e) => set({ firewall: e.currentTarget.value as DeviceView['firewall'] })}
        >
          <option value="">Any</option>
          <option value="off">Off</option>
          <option value="on">On</option>
        </select>
      </div>
    </>
  );
}
