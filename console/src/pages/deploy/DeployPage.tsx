// Software deployment: the package store (admins add packages), the deploy form, recent deployments.
import type { PackageJson } from '../../../../shared/deploy-api.js';
import { apiWith } from '../../api/client.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, PageHeader } from '../../components/common.js';
import { EmptyRow } from '../../components/table.js';
import { countsText } from '../../lib/deploy.js';
import { formatBytes, formatDateTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { AddPackageForm } from './AddPackageForm.js';
import { DeployForm } from './DeployForm.js';

export function DeployPage({ search }: { search: string }) {
  const packages = useLoad((signal) => apiWith('GET /api/packages', undefined, signal), []);
  const deployments = useLoad((signal) => apiWith('GET /api/deployments', { query: { limit: 50 } }, signal), []);
  const items = packages.data?.items ?? [];

  return (
    <>
      <PageHeader title="Software deployment" />
      <div class="grid-2">
        <DeployForm packages={items} search={search} />
        <AddPackageForm onAdded={(pkg: PackageJson) => packages.setData((d) => ({ items: [pkg, ...d.items] }))} />
      </div>
      {packages.error ? <ErrorNotice error={packages.error} /> : null}
      <section class="card" aria-labelledby="packages-title">
        <h2 id="packages-title">Packages</h2>
        <table class="data">
          <caption class="visually-hidden">Packages in the store</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Installer</th>
              <th scope="col">File</th>
              <th scope="col">Detected as</th>
              <th scope="col">Self-service</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.version ? `${p.name} ${p.version}` : p.name}</th>
                <td>{p.installer}</td>
                <td>
                  {p.file ? (
                    <span title={`SHA-256 ${p.file.sha256}`}>
                      {p.file.name} ({formatBytes(p.file.size)})
                    </span>
                  ) : (
                    <code>{p.managerPackage}</code>
                  )}
                </td>
                <td>{p.detection.version ? `${p.detection.name} ${p.detection.version}` : p.detection.name}</td>
                <td>{p.selfService ? <Badge kind="success">Offered</Badge> : <span class="muted">No</span>}</td>
                <td>
                  {formatDateTime(p.createdAt)} by {p.createdBy}
                </td>
              </tr>
            ))}
            {packages.data && items.length === 0 ? <EmptyRow colSpan={6}>No packages yet. Add one to deploy it.</EmptyRow> : null}
          </tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="deployments-title">
        <h2 id="deployments-title">Deployments</h2>
        {deployments.error ? <ErrorNotice error={deployments.error} /> : null}
        <table class="data">
          <caption class="visually-hidden">Recent deployments</caption>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Devices</th>
              <th scope="col">Started</th>
              <th scope="col">Window</th>
            </tr>
          </thead>
          <tbody>
            {deployments.data?.items.map((d) => (
              <tr key={d.id}>
                <th scope="row">
                  <Link href={href.deployment(d.id)}>{d.package.version ? `${d.package.name} ${d.package.version}` : d.package.name}</Link>
                </th>
                <td>{countsText(d.counts)}</td>
                <td>
                  {formatDateTime(d.createdAt)} by {d.createdBy}
                </td>
                <td>
                  {d.notBefore || d.notAfter
                    ? `${formatDateTime(d.notBefore) || 'now'} – ${formatDateTime(d.notAfter) || 'no end'}`
                    : 'Now'}
                </td>
              </tr>
            ))}
            {deployments.data && deployments.data.items.length === 0 ? <EmptyRow colSpan={4}>Nothing deployed yet.</EmptyRow> : null}
          </tbody>
        </table>
      </section>
    </>
  );
}
