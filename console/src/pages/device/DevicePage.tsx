// One device: header with its state and "Scan now", then hardware, OS, network, users, software,
// the timeline of changes, its tickets (and raising one) and its logbook, which live events keep current.
import { useState } from 'preact/hooks';
import type { DeviceDetailJson } from '../../../../shared/http-api.js';
import { api, apiWith } from '../../api/client.js';
import { ErrorNotice, Loading, Notice, OnlineState, PageHeader, PageTitle } from '../../components/common.js';
import { announce } from '../../app/announce.js';
import { useLive } from '../../app/live.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { errorCode, errorMessage } from '../../api/errors.js';
import { formatDateTime, relativeTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { AccountsSection, PeripheralsSection, SecuritySection, VolumesSection } from './BreadthSections.js';
import { HardwareSection, NetworkSection, OsSection, UsersSection } from './DeviceSections.js';
import { DeviceTickets } from './DeviceTickets.js';
import { DuplicateNotice } from './DuplicateNotice.js';
import { Logbook } from './Logbook.js';
import { IdentityHistory } from './IdentityHistory.js';
import { SoftwareSection } from './SoftwareSection.js';
import { Timeline } from './Timeline.js';

export function DevicePage({ id }: { id: string }) {
  const device = useLoad((signal) => apiWith('GET /api/devices/:id', { path: { id } }, signal), [id]);
  const [softwareVersion, setSoftwareVersion] = useState(0);
  const [identityVersion, setIdentityVersion] = useState(0);

  useLive('presence', (e) => {
    if (e.deviceId !== id) return;
    device.setData((d) => ({ ...d, online: e.online, lastSeen: e.at }));
    announce(`${device.data?.hostname ?? 'The device'} is now ${e.online ? 'online' : 'offline'}.`);
  });
  useLive('inventory', (e) => {
    if (e.deviceId !== id) return;
    device.reload(true);
    // An enrolment (no sections) may have continued this device or flagged a duplicate of it.
    if (e.sections.length === 0) setIdentityVersion((v) => v + 1);
    if (e.sections.includes('software')) setSoftwareVersion((v) => v + 1);
  });

  if (!device.data) {
    return (
      <>
        <PageTitle title="Device">Device</PageTitle>
        {device.error ? <ErrorNotice error={device.error} /> : <Loading what="the device" />}
      </>
    );
  }
  const d = device.data;
  return (
    <>
      <DeviceHeader device={d} />
      <nav class="on-this-page" aria-label="Sections of this device">
        <a href="#hardware">Hardware</a>
        <a href="#os">OS</a>
        <a href="#network">Network</a>
        <a href="#users">Users</a>
        <a href="#volumes">Volumes</a>
        <a href="#security">Security</a>
        <a href="#accounts">Accounts</a>
        <a href="#software">Software</a>
        <a href="#timeline">Timeline</a>
        <a href="#tickets">Tickets</a>
        <a href="#logbook">Logbook</a>
      </nav>
      {d.needsFullSnapshot && !d.hardware ? <Notice>Waiting for this device's first full inventory.</Notice> : null}
      <div class="grid-2">
        <HardwareSection hardware={d.hardware} />
        <OsSection os={d.os} />
        <NetworkSection network={d.network} />
        <UsersSection users={d.users} />
        <VolumesSection volumes={d.volumes} />
        <SecuritySection security={d.security} />
        <PeripheralsSection monitors={d.monitors} printers={d.printers} />
        <AccountsSection accounts={d.accounts} groups={d.groups} />
      </div>
      <div class="grid-2 grid-wide-left">
        <SoftwareSection deviceId={id} count={d.softwareCount} version={softwareVersion} />
        <Timeline deviceId={id} />
      </div>
      <DeviceTickets deviceId={id} />
      <Logbook deviceId={id} />
      <IdentityHistory deviceId={id} version={identityVersion} />
    </>
  );
}

function DeviceHeader({ device: d }: { device: DeviceDetailJson }) {
  const [scan, setScan] = useState<{ busy: boolean; error: string | null; offline: boolean }>({ busy: false, error: null, offline: false });

  async function scanNow() {
    setScan({ busy: true, error: null, offline: false });
    try {
      await api('POST /api/devices/:id/scan', { path: { id: d.id } });
      setScan({ busy: false, error: null, offline: false });
      announce(`Scan requested. New changes from ${d.hostname} will appear in the timeline.`);
    } catch (err) {
      setScan({ busy: false, error: errorMessage(err), offline: errorCode(err) === 'E_DEVICE_OFFLINE' });
    }
  }

  return (
    <PageHeader
      title={d.hostname}
      parent={{ href: href.devices(), label: 'Devices' }}
      class="device-header"
      actions={
        <div class="header-actions">
          <button type="button" class="button button-primary" onClick={() => void scanNow()} disabled={scan.busy}>
            {scan.busy ? 'Requesting…' : 'Scan now'}
          </button>
          <Link class="button" href={href.deploy(`?devices=${encodeURIComponent(d.id)}`)}>
            Deploy software
          </Link>
          {scan.error ? (
            <p class={scan.offline ? 'notice notice-warning' : 'notice notice-error'} role="alert">
              {scan.error}
            </p>
          ) : null}
        </div>
      }
    >
      <p class="meta-line" data-testid="device-state">
        <OnlineState online={d.online} />
        <span>
          Last seen{' '}
          <time dateTime={d.lastSeen} title={formatDateTime(d.lastSeen)}>
            {d.online ? 'now' : relativeTime(d.lastSeen, Date.now())}
          </time>
        </span>
        <span>First seen {formatDateTime(d.firstSeen)}</span>
        <span>Agent {d.agentVersion ?? 'unknown'}</span>
      </p>
      <DuplicateNotice device={d} />
      {d.cloneOf ? (
        <Notice kind="warning">
          Cloned install: this device runs a copy of the OS install of <Link href={href.device(d.cloneOf)}>another device</Link>. The two
          are kept as separate devices.
        </Notice>
      ) : null}
    </PageHeader>
  );
}
