// One deployment: each device's state, its steps as the agent reported them, the installer's output.
import { apiWith } from '../../api/client.js';
import { useLive } from '../../app/live.js';
import { Link } from '../../app/nav.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, Facts, Loading, PageHeader } from '../../components/common.js';
import { countsText, STATE_KIND, STATE_LABEL } from '../../lib/deploy.js';
import { formatDateTime } from '../../lib/format.js';
import { href } from '../../lib/routes.js';

export function DeploymentPage({ id }: { id: string }) {
  const loaded = useLoad((signal) => apiWith('GET /api/deployments/:id', { path: { id } }, signal), [id]);
  // Each step an agent reports shows as it arrives.
  useLive('deployment', (e) => {
    if (e.deploymentId === id) loaded.reload(true);
  });
  const d = loaded.data;
  if (loaded.error) return <ErrorNotice error={loaded.error} />;
  if (!d) return <Loading what="the deployment" />;
  const title = d.package.version ? `${d.package.name} ${d.package.version}` : d.package.name;
  return (
    <>
      <PageHeader
        title={`Deployment of ${title}`}
        parent={{ href: href.deploy(), label: 'Software deployment' }}
        actions={
          <button type="button" class="button" onClick={() => loaded.reload(true)}>
            Refresh
          </button>
        }
      >
        <p>{countsText(d.counts)}</p>
      </PageHeader>
      <section class="card">
        <Facts
          label="Deployment"
          items={[
            ['Installer', d.package.installer],
            ['Started', `${formatDateTime(d.createdAt)} by ${d.createdBy}`],
            [
              'Window',
              d.notBefore || d.notAfter ? `${formatDateTime(d.notBefore) || 'now'} – ${formatDateTime(d.notAfter) || 'no end'}` : 'Now',
            ],
            ['Ticket', d.ticketId === null ? null : <Link href={href.ticket(d.ticketId)}>#{d.ticketId}</Link>],
          ]}
        />
      </section>
      {d.targets?.map((t) => (
        <section class="card" key={t.deviceId} aria-labelledby={`target-${t.deviceId}`}>
          <h2 id={`target-${t.deviceId}`}>
            <Link href={href.device(t.deviceId)}>{t.hostname}</Link> <Badge kind={STATE_KIND[t.state]}>{STATE_LABEL[t.state]}</Badge>
            {t.rebootRequired ? <Badge kind="warning">Restart needed</Badge> : null}
          </h2>
          {t.message ? <p>{t.code ? `${t.message} (${t.code})` : t.message}</p> : null}
          <ol class="steps">
            {t.steps.map((s, i) => (
              <li key={i}>
                {STATE_LABEL[s.state]}
                {s.attempt > 1 ? ` (attempt ${s.attempt})` : ''} — {formatDateTime(s.at)}
                {s.exitCode !== null ? `, exit code ${s.exitCode}` : ''}
              </li>
            ))}
            {t.steps.length === 0 ? <li class="muted">The device has not picked it up yet.</li> : null}
          </ol>
          {t.outputTail ? (
            <details>
              <summary>Installer output (last lines)</summary>
              <pre>{t.outputTail}</pre>
            </details>
          ) : null}
        </section>
      ))}
    </>
  );
}
