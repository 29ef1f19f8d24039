// One package across the fleet: its versions with counts, and the devices that have it.
import { useState } from 'preact/hooks';
import { apiWith } from '../../api/client.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, Loading, OnlineState, PageHeader } from '../../components/common.js';
import { EmptyRow, Pager } from '../../components/table.js';
import { formatCount, formatDateTime, relativeTime } from '../../lib/format.js';
import { PAGE_SIZE } from '../../lib/list-query.js';
import { href } from '../../lib/routes.js';

export function PackagePage({ name }: { name: string }) {
  const [offset, setOffset] = useState(0);
  const detail = useLoad(
    (signal) => apiWith('GET /api/software/detail', { query: { name, limit: PAGE_SIZE, offset } }, signal),
    [name, offset],
  );
  const d = detail.data;
  const now = Date.now();

  return (
    <>
      <PageHeader
        title={name}
        heading={
          <>
            {name} {d?.prohibited ? <Badge kind="danger">Prohibited</Badge> : null}
          </>
        }
        parent={{ href: href.software(), label: 'Software' }}
      />
      {detail.error ? <ErrorNotice error={detail.error} /> : null}
      {!d && !detail.error ? <Loading what="the package" /> : null}
      {d ? (
        <div class="grid-2 grid-wide-right">
          <section class="card" aria-labelledby="versions-title">
            <h2 id="versions-title">Versions</h2>
            <table class="data compact">
              <caption class="visually-hidden">Versions of {name}</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col" class="num">
                    Devices
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.versions.map((v) => (
                  <tr key={v.version ?? ''}>
                    <th scope="row" class="mono">
                      {v.version ?? '(no version)'}
                    </th>
                    <td class="num">{formatCount(v.devices)}</td>
                  </tr>
                ))}
                {d.versions.length === 0 ? <EmptyRow colSpan={2}>No device has it.</EmptyRow> : null}
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="installs-title">
            <h2 id="installs-title">Devices</h2>
            <table class="data compact">
              <caption class="visually-hidden">Devices with {name}</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Status</th>
                  <th scope="col">Version</th>
                  <th scope="col">Source</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {d.installs.items.map((i) => (
                  <tr key={`${i.deviceId}\t${i.version ?? ''}\t${i.source}`}>
                    <th scope="row">
                      <Link href={href.device(i.deviceId)}>{i.hostname}</Link>
                    </th>
                    <td>
                      <OnlineState online={i.online} />
                    </td>
                    <td class="mono">{i.version ?? '—'}</td>
                    <td>{i.source}</td>
                    <td>
                      <time dateTime={i.lastSeen} title={formatDateTime(i.lastSeen)}>
                        {i.online ? 'Now' : relativeTime(i.lastSeen, now)}
                      </time>
                    </td>
                  </tr>
                ))}
                {d.installs.items.length === 0 ? <EmptyRow colSpan={5}>No device has it.</EmptyRow> : null}
              </tbody>
            </table>
            <Pager
              label="Device pages"
              offset={d.installs.offset}
              shown={d.installs.items.length}
              total={d.installs.total}
              onPrev={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
              onNext={() => setOffset(offset + PAGE_SIZE)}
            />
          </section>
        </div>
      ) : null}
    </>
  );
}
