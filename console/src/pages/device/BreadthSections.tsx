// The issue 18 sections of a device: volumes with a free-space bar, security posture, monitors and
// printers, local accounts and groups. "Not reported" is said apart from "none": an older agent
// sends none of these sections, which is not the same as a machine without printers.
import type { DeviceDetailJson } from '../../../../shared/http-api.js';
import { itemKey } from '../../../../shared/inventory-keys.js';
import { Badge, Facts } from '../../components/common.js';
import { formatBytes, formatDateTime } from '../../lib/format.js';
import { Section } from './DeviceSections.js';

/** Under this many percent free a volume is shown as low (the desk event's default threshold too). */
const LOW_FREE_PERCENT = 10;

export function VolumesSection({ volumes }: { volumes: DeviceDetailJson['volumes'] }) {
  return (
    <Section id="volumes" title="Volumes">
      {volumes.length === 0 ? (
        <p class="muted">No volumes reported.</p>
      ) : (
        <table class="data compact">
          <caption class="visually-hidden">Volumes and their free space</caption>
          <thead>
            <tr>
              <th scope="col">Mount</th>
              <th scope="col">File system</th>
              <th scope="col">Size</th>
              <th scope="col">Free</th>
              <th scope="col">Encryption</th>
            </tr>
          </thead>
          <tbody>
            {volumes.map((v) => (
              <tr key={itemKey.volumes(v)}>
                <th scope="row" class="mono">
                  {v.mount}
                  {v.label ? <span class="muted"> ({v.label})</span> : null}
                </th>
                <td>{v.fs ?? '—'}</td>
                <td>{v.sizeBytes !== undefined ? formatBytes(v.sizeBytes) : '—'}</td>
                <td>
                  {v.freePercent !== undefined ? (
                    <span class="free-space">
                      <meter
                        min={0}
                        max={100}
                        low={LOW_FREE_PERCENT}
                        optimum={100}
                        value={v.freePercent}
                        aria-label={`${v.mount}: ${v.freePercent} % free`}
                      />{' '}
                      {v.freePercent} % free{v.freeBytes !== undefined ? ` (${formatBytes(v.freeBytes)})` : ''}
                      {v.freePercent < LOW_FREE_PERCENT ? <Badge kind="danger">Low</Badge> : null}
                    </span>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{v.encrypted === undefined ? '—' : v.encrypted ? (v.encryption ?? 'Encrypted') : 'None'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

const ENCRYPTION_TEXT = { on: 'On', partial: 'Partly', off: 'Off' } as const;

export function SecuritySection({ security: s }: { security: DeviceDetailJson['security'] }) {
  const av = s.antivirus?.map((a) => (
    <span key={a.product}>
      {a.product} {a.enabled === false ? <Badge kind="danger">Disabled</Badge> : a.enabled ? <Badge kind="success">On</Badge> : null}
      {a.upToDate === false ? <Badge kind="warning">Out of date</Badge> : null}{' '}
    </span>
  ));
  return (
    <Section id="security" title="Security">
      <Facts
        label="Security posture"
        items={[
          [
            'Firewall',
            s.firewall ? <Badge kind={s.firewall === 'on' ? 'success' : 'danger'}>{s.firewall === 'on' ? 'On' : 'Off'}</Badge> : null,
          ],
          [
            'Disk encryption',
            s.diskEncryption ? (
              <Badge kind={s.diskEncryption === 'on' ? 'success' : 'danger'}>{ENCRYPTION_TEXT[s.diskEncryption]}</Badge>
            ) : null,
          ],
          ['Antivirus', av?.length ? av : null],
          ['Pending updates', s.pendingUpdates !== undefined ? String(s.pendingUpdates) : null],
          ['Last update', s.lastUpdateAt ? formatDateTime(s.lastUpdateAt) : null],
          [
            'Reboot',
            s.rebootRequired === undefined ? null : s.rebootRequired ? <Badge kind="warning">Reboot required</Badge> : 'Not needed',
          ],
        ]}
      />
    </Section>
  );
}

export function PeripheralsSection({ monitors, printers }: Pick<DeviceDetailJson, 'monitors' | 'printers'>) {
  return (
    <Section id="peripherals" title="Monitors and printers">
      <Facts
        label="Monitors and printers"
        items={[
          [
            'Monitors',
            monitors.length
              ? monitors
                  .map((m) =>
                    [m.vendor, m.model, m.serial ? `serial ${m.serial}` : null, m.sizeInches ? `${m.sizeInches}″` : null]
                      .filter(Boolean)
                      .join(' '),
                  )
                  .join('; ')
              : null,
          ],
          [
            'Printers',
            printers.length
              ? printers.map((p) => `${p.name}${p.isDefault ? ' (default)' : ''}${p.shared ? ', shared' : ''}`).join('; ')
              : null,
          ],
        ]}
      />
    </Section>
  );
}

export function AccountsSection({ accounts, groups }: Pick<DeviceDetailJson, 'accounts' | 'groups'>) {
  return (
    <Section id="accounts" title="Local accounts">
      {accounts.length === 0 ? (
        <p class="muted">No local accounts reported.</p>
      ) : (
        <table class="data compact">
          <caption class="visually-hidden">Local accounts and their groups</caption>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Administrator</th>
              <th scope="col">Groups</th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.name}>
                <th scope="row">
                  {a.name}
                  {a.fullName ? <span class="muted"> ({a.fullName})</span> : null}
                  {a.disabled ? <Badge>Disabled</Badge> : null}
                </th>
                <td>{a.admin ? <Badge kind="warning">Admin</Badge> : 'No'}</td>
                <td>{a.groups.join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {groups.some((g) => g.admin) ? (
        <p class="muted">
          Admin groups:{' '}
          {groups
            .filter((g) => g.admin)
            .map((g) => `${g.name} (${g.members.join(', ') || 'no members'})`)
            .join('; ')}
        </p>
      ) : null}
    </Section>
  );
}
