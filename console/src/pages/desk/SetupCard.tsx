// The desk preflight on the desk page: whether the desk can be used, one line per setup problem
// with what to do about it, and "Check again".
import type { DeskPreflightJson, DeskProblemSeverity } from '../../../../shared/http-api.js';
import { api } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { Badge, FormError } from '../../components/common.js';
import { formatCount, formatDateTime } from '../../lib/format.js';

const SEVERITY: Record<DeskProblemSeverity, { label: string; kind: 'danger' | 'warning' | 'info' }> = {
  blocking: { label: 'Blocks the desk', kind: 'danger' },
  degraded: { label: 'Degraded', kind: 'warning' },
  advice: { label: 'Advice', kind: 'info' },
};

export function SetupCard({ preflight, onChecked }: { preflight: DeskPreflightJson | null; onChecked: () => void }) {
  const action = useAction();

  async function checkAgain() {
    const ok = await action.run(async () => {
      const result = await api('POST /api/desk/preflight', {});
      announce(
        result.problems.length
          ? `Desk setup checked: ${formatCount(result.problems.length)} problem(s).`
          : 'Desk setup checked: no problems.',
      );
    });
    if (ok) onChecked();
  }

  return (
    <section class="card" aria-labelledby="desk-setup-title">
      <h2 id="desk-setup-title">Setup check</h2>
      {!preflight ? (
        <p class="muted">Not checked yet.</p>
      ) : (
        <>
          <p>
            {!preflight.usable ? (
              <Badge kind="danger">The desk cannot be used</Badge>
            ) : preflight.problems.length ? (
              <Badge kind="warning">Works, with setup problems</Badge>
            ) : (
              <Badge kind="success">Set up completely</Badge>
            )}{' '}
            <span class="muted small">Checked {formatDateTime(preflight.at)}</span>
          </p>
          {!preflight.usable ? (
            <p class="small">Inventory keeps flowing; the server tries the desk again on its own. Tickets wait until it can be used.</p>
          ) : null}
          {preflight.problems.length ? (
            <ul class="plain-list" aria-label="Setup problems">
              {preflight.problems.map((p, i) => (
                <li key={i}>
                  <Badge kind={SEVERITY[p.severity].kind}>{SEVERITY[p.severity].label}</Badge> {p.message}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
      <button type="button" class="button" onClick={() => void checkAgain()} disabled={action.busy}>
        {action.busy ? 'Checking…' : 'Check again'}
      </button>
      <FormError message={action.error} />
    </section>
  );
}
