// The device's stored snapshot, section by section.
import type { ComponentChildren } from 'preact';
import type { DeviceDetailJson } from '../../../../shared/http-api.js';
import { itemKey } from '../../../../shared/inventory-keys.js';
import { Facts } from '../../components/common.js';
import { formatBytes, osName, plural } from '../../lib/format.js';

export function Section({
  id,
  title,
  children,
  extra,
}: {
  id: string;
  title: string;
  children: ComponentChildren;
  extra?: ComponentChildren;
}) {
  return (
    <section class="card" id={id} aria-labelledby={`${id}-title`}>
      <div class="card-head">
        <h2 id={`${id}-title`}>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}

export function HardwareSection({ hardware: h }: { hardware: DeviceDetailJson['hardware'] }) {
  if (!h)
    return (
      <Section id="hardware" title="Hardware">
        <p class="muted">Not reported yet.</p>
      </Section>
    );
  const cpu = h.cpu
    ? [
        h.cpu.brand ?? h.cpu.manufacturer,
        h.cpu.cores ? `${h.cpu.physicalCores ?? h.cpu.cores} cores / ${h.cpu.cores} threads` : null,
        h.cpu.speedMHz ? `${(h.cpu.speedMHz / 1000).toFixed(1)} GHz` : null,
      ]
        .filter(Boolean)
        .join(', ')
    : null;
  const battery = h.battery
    ? [
        h.battery.healthPercent !== undefined ? `${h.battery.healthPercent}% health` : null,
        h.battery.cycleCount !== undefined ? `${h.battery.cycleCount} cycles` : null,
      ]
        .filter(Boolean)
        .join(', ') || 'present'
    : null;
  return (
    <Section id="hardware" title="Hardware">
      <Facts
        label="Hardware"
        items={[
          ['Manufacturer', h.manufacturer],
          ['Model', h.model],
          ['Service tag', h.serial ? <span class="mono">{h.serial}</span> : null],
          ['CPU', cpu],
          [
            'Memory',
            h.memory.totalBytes
              ? `${formatBytes(h.memory.totalBytes)}${h.memory.modules.length ? ` in ${plural(h.memory.modules.length, 'module')}` : ''}`
              : null,
          ],
          [
            'Disks',
            h.disks.length
              ? h.disks
                  .map((d) => [d.model ?? d.device ?? 'Disk', formatBytes(d.sizeBytes), d.type].filter((x) => x && x !== '—').join(' · '))
                  .join('; ')
              : null,
          ],
          ['Graphics', h.graphics.length ? h.graphics.map((g) => [g.vendor, g.model].filter(Boolean).join(' ')).join('; ') : null],
          ['BIOS', h.bios ? [h.bios.vendor, h.bios.version, h.bios.releaseDate].filter(Boolean).join(' ') : null],
          ['Chassis', h.chassis?.type],
          ['Battery', battery],
          ['System UUID', h.uuid ? <span class="mono">{h.uuid}</span> : null],
        ]}
      />
    </Section>
  );
}

export function OsSection({ os }: { os: DeviceDetailJson['os'] }) {
  if (!os)
    return (
      <Section id="os" title="Operating system">
        <p class="muted">Not reported yet.</p>
      </Section>
    );
  return (
    <Section id="os" title="Operating system">
      <Facts
        label="Operating system"
        items={[
          ['Name', osName(os)],
          ['Build', os.build],
          ['Codename', os.codename],
          ['Kernel', os.kernel],
          ['Architecture', os.arch],
          ['Hostname', os.hostname],
          ['FQDN', os.fqdn],
          ['Domain', os.domain],
        ]}
      />
    </Section>
  );
}

export function NetworkSection({ network }: { network: DeviceDetailJson['network'] }) {
  return (
    <Section id="network" title="Network">
      {network.length === 0 ? (
        <p class="muted">No interfaces reported.</p>
      ) : (
        <table class="data compact">
          <caption class="visually-hidden">Network interfaces</caption>
          <thead>
            <tr>
              <th scope="col">Interface</th>
              <th scope="col">MAC address</th>
              <th scope="col">IP addresses</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {network.map((n) => (
              <tr key={n.name}>
                <th scope="row">{n.name}</th>
                <td class="mono">{n.mac ?? '—'}</td>
                <td class="mono">{[...n.ipv4, ...n.ipv6].join(', ') || '—'}</td>
                <td>
                  {[n.virtual ? 'virtual' : (n.type ?? 'physical'), n.speedMbps ? `${n.speedMbps} Mbit/s` : null]
                    .filter(Boolean)
                    .join(', ')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

export function UsersSection({ users }: { users: DeviceDetailJson['users'] }) {
  return (
    <Section id="users" title="Logged-on users">
      {users.length === 0 ? (
        <p class="muted">Nobody is logged on.</p>
      ) : (
        <ul class="plain-list">
          {users.map((u) => (
            <li key={itemKey.users(u)}>
              <strong>{u.domain ? `${u.domain}\\${u.name}` : u.name}</strong>
              {u.terminal ? <span class="muted"> on {u.terminal}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
