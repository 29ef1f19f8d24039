// The devices IT allowed to keep software the prohibited list names (exception requests approved in
// the desk): shown under the list, each with the ticket that granted it; an admin may take one back.
import { apiWith, api } from '../../api/client.js';
import { errorMessage } from '../../api/errors.js';
import { announce } from '../../app/announce.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { ErrorNotice } from '../../components/common.js';
import { EmptyRow } from '../../components/table.js';
import { formatDateTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';

export function ExemptionsTable({ onChange }: { onChange: () => void }) {
  const list = useLoad((signal) => apiWith('GET /api/prohibited/exemptions', undefined, signal), []);

  async function revoke(deviceId: string, hostname: string, name: string) {
    try {
      await api('DELETE /api/prohibited/exemptions', { query: { deviceId, name } });
      announce(`${hostname} may no longer keep "${name}".`);
      list.reload(true);
      onChange();
    } catch (err) {
      announce(`Could not revoke the exemption: ${errorMessage(err)}`);
    }
  }

  return (
    <section class="card" aria-labelledby="exemptions-title">
      <h2 id="exemptions-title">Exemptions</h2>
      <p class="help">
        Devices IT allowed to keep software the list names (an exception request from the tray, approved in the service desk). A package of
        that name is not flagged on that device.
      </p>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-wrap">
        <table class="data">
          <caption class="visually-hidden">Exemptions from the prohibited list</caption>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Software</th>
              <th scope="col">Granted</th>
              <th scope="col">Request</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((e) => (
              <tr key={`${e.deviceId}\t${e.name}`}>
                <th scope="row">
                  <Link href={href.device(e.deviceId)}>{e.hostname}</Link>
                </th>
                <td class="mono">{e.name}</td>
                <td>{formatDateTime(e.createdAt)}</td>
                <td>{e.ticketId === null ? '—' : <Link href={href.ticket(e.ticketId)}>Ticket {e.ticketId}</Link>}</td>
                <td class="actions">
                  <button
                    type="button"
                    class="button button-small button-danger"
                    onClick={() => void revoke(e.deviceId, e.hostname, e.name)}
                    aria-label={`Revoke ${e.hostname}'s exemption for ${e.name}`}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? <EmptyRow colSpan={5}>No device is exempt.</EmptyRow> : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
