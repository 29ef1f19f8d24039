// The fleet: search, filters, sortable columns and paging, all reflected in the address.
import type { DeviceSort, DeviceSummaryJson } from '../../../shared/http-api.js';
import { apiWith } from '../api/client.js';
import { useLive } from '../app/live.js';
import { Link, navigate } from '../app/nav.js';
import { useSearchBox } from '../app/use-debounced.js';
import { useLoad } from '../app/use-load.js';
import { Badge, ErrorNotice, OnlineState, PageHeader } from '../components/common.js';
import { EmptyRow, Pager, SortHeader, openOnClick } from '../components/table.js';
import {
  DEFAULT_VIEW,
  PLATFORMS,
  apiQueryFromView,
  postureFiltered,
  searchFromView,
  toggleSort,
  viewFromSearch,
  type DeviceView,
  type SeenChoice,
} from '../lib/device-query.js';
import { formatDateTime, osName, platformName, relativeTime } from '../lib/format.js';
import { PAGE_SIZE } from '../lib/list-query.js';
import { href } from '../lib/routes.js';
import { PostureFilters } from './PostureFilters.js';

const SEEN_LABELS: Record<SeenChoice, string> = {
  any: 'Any time',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  older30d: 'Older than 30 days',
};
const COLUMNS = 8;

export function DevicesPage({ search }: { search: string }) {
  const view = viewFromSearch(search);
  const show = (next: DeviceView, replace = false) => navigate(href.devices(searchFromView(next)), { replace, keepFocus: true });
  const [text, setText] = useSearchBox(view.q, (q) => show({ ...view, q, page: 1 }, true));

  const list = useLoad((signal) => apiWith('GET /api/devices', { query: apiQueryFromView(view, Date.now()) }, signal), [search]);

  useLive('presence', (e) =>
    list.setData((page) => ({
      ...page,
      items: page.items.map((d) => (d.id === e.deviceId ? { ...d, online: e.online, lastSeen: e.at } : d)),
    })),
  );
  useLive('inventory', (e) => {
    if (e.trigger === 'enrolled') list.reload(true);
    else
      list.setData((page) => ({
        ...page,
        items: page.items.map((d) => (d.id === e.deviceId ? { ...d, hostname: e.hostname, lastSeen: e.at } : d)),
      }));
  });

  const filtered = view.q !== '' || view.os !== '' || view.online !== '' || view.seen !== 'any' || postureFiltered(view);
  const onSort = (column: DeviceSort) => show(toggleSort(view, column));
  const sortProps = { sort: view.sort, order: view.order, onSort };
  const now = Date.now();

  return (
    <>
      <PageHeader
        title="Devices"
        actions={
          // The search as it stands (text, OS, connection) becomes the deployment's target search.
          <Link class="button" href={href.deploy(deploySearch(view))}>
            Deploy to these devices
          </Link>
        }
      />
      <form
        role="search"
        class="toolbar"
        aria-label="Filter devices"
        onSubmit={(e) => {
          e.preventDefault();
          show({ ...view, q: text, page: 1 });
        }}
      >
        <div class="field field-grow">
          <label for="device-search">Search devices</label>
          <input
            id="device-search"
            type="search"
            placeholder="Hostname, service tag, user or IP"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            maxLength={200}
          />
        </div>
        <div class="field">
          <label for="device-os">Operating system</label>
          <select
            id="device-os"
            value={view.os}
            onChange={(e) => show({ ...view, os: e.currentTarget.value as DeviceView['os'], page: 1 })}
          >
            <option value="">All</option>
            {PLATFORMS.map((platform) => (
              <option key={platform} value={platform}>
                {platformName(platform)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="device-online">Status</label>
          <select
            id="device-online"
            value={view.online}
            onChange={(e) => show({ ...view, online: e.currentTarget.value as DeviceView['online'], page: 1 })}
          >
            <option value="">All</option>
            <option value="true">Online</option>
            <option value="false">Offline</option>
          </select>
        </div>
        <div class="field">
          <label for="device-seen">Last seen</label>
          <select
            id="device-seen"
            value={view.seen}
            onChange={(e) => show({ ...view, seen: e.currentTarget.value as SeenChoice, page: 1 })}
          >
            {Object.entries(SEEN_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <PostureFilters view={view} show={show} />
        {filtered ? (
          <button
            type="button"
            class="button button-quiet"
            onClick={() => {
              setText('');
              show({ ...DEFAULT_VIEW, sort: view.sort, order: view.order });
            }}
          >
            Clear filters
          </button>
        ) : null}
      </form>

      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class={list.loading ? 'table-wrap is-loading' : 'table-wrap'} aria-busy={list.loading}>
        <table class="data">
          <caption class="visually-hidden">
            Devices{filtered ? ' matching the filters' : ''}, sorted by {view.sort} {view.order === 'asc' ? 'ascending' : 'descending'}
          </caption>
          <thead>
            <tr>
              <SortHeader label="Hostname" column="hostname" {...sortProps} />
              <th scope="col">Status</th>
              <SortHeader label="Operating system" column="os" {...sortProps} />
              <SortHeader label="Service tag" column="serial" {...sortProps} />
              <SortHeader label="IP address" column="ip" {...sortProps} />
              <SortHeader label="User" column="user" {...sortProps} />
              <th scope="col">Model</th>
              <SortHeader label="Last seen" column="lastSeen" {...sortProps} />
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((d) => (
              <DeviceRow key={d.id} device={d} now={now} />
            ))}
            {list.data && list.data.items.length === 0 ? (
              <EmptyRow colSpan={COLUMNS}>
                {filtered ? 'No device matches these filters.' : 'No devices yet. Enrol one from the Enrolment page.'}
              </EmptyRow>
            ) : null}
            {!list.data && list.loading ? <EmptyRow colSpan={COLUMNS}>Loading devices…</EmptyRow> : null}
          </tbody>
        </table>
      </div>
      {list.data ? (
        <Pager
          label="Device pages"
          offset={list.data.offset}
          shown={list.data.items.length}
          total={list.data.total}
          onPrev={() => show({ ...view, page: Math.max(1, view.page - 1) })}
          onNext={() => show({ ...view, page: Math.floor(list.data!.offset / PAGE_SIZE) + 2 })}
        />
      ) : null}
    </>
  );
}

function DeviceRow({ device: d, now }: { device: DeviceSummaryJson; now: number }) {
  return (
    <tr class="clickable" onClick={openOnClick(href.device(d.id))}>
      <th scope="row">
        <Link href={href.device(d.id)}>{d.hostname}</Link>
        {d.cloneOf ? <Badge kind="warning">Clone</Badge> : null}
      </th>
      <td>
        <OnlineState online={d.online} />
      </td>
      <td>{osName(d.os)}</td>
      <td class="mono">{d.serial ?? '—'}</td>
      <td class="mono">{d.ip ?? '—'}</td>
      <td>{d.users?.length ? d.users.join(', ') : '—'}</td>
      <td>{[d.manufacturer, d.model].filter(Boolean).join(' ') || '—'}</td>
      <td>
        <time dateTime={d.lastSeen} title={formatDateTime(d.lastSeen)}>
          {d.online ? 'Now' : relativeTime(d.lastSeen, now)}
        </time>
      </td>
    </tr>
  );
}

/** The deploy form's preset from the devices list's search (the filters a deployment search knows). */
function deploySearch(view: DeviceView): string {
  const p = new URLSearchParams();
  if (view.q) p.set('q', view.q);
  if (view.os) p.set('os', view.os);
  if (view.online) p.set('online', view.online);
  const text = p.toString();
  return text ? `?${text}` : '';
}
