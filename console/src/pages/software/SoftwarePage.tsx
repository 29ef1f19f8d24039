// Software across the fleet: how many devices have each package, in how many versions.
import { apiWith } from '../../api/client.js';
import { Link, navigate } from '../../app/nav.js';
import { useSearchBox } from '../../app/use-debounced.js';
import { useLoad } from '../../app/use-load.js';
import { Badge, ErrorNotice, PageHeader } from '../../components/common.js';
import { EmptyRow, Pager, openOnClick } from '../../components/table.js';
import { formatCount } from '../../lib/format.js';
import { href } from '../../lib/routes.js';
import { PAGE_SIZE, softwareViewFromSearch, searchFromSoftwareView, type SoftwareView } from '../../lib/list-query.js';

export function SoftwarePage({ search }: { search: string }) {
  const view = softwareViewFromSearch(search);
  const show = (next: SoftwareView, replace = false) => navigate(href.software(searchFromSoftwareView(next)), { replace, keepFocus: true });
  const [text, setText] = useSearchBox(view.q, (q) => show({ ...view, q, page: 1 }, true));

  const list = useLoad(
    (signal) =>
      apiWith(
        'GET /api/software',
        {
          query: {
            q: view.q || undefined,
            prohibited: view.prohibited ? 'true' : undefined,
            limit: PAGE_SIZE,
            offset: (view.page - 1) * PAGE_SIZE,
          },
        },
        signal,
      ),
    [search],
  );

  return (
    <>
      <PageHeader
        title="Software"
        actions={
          <Link href={href.prohibited()} class="button">
            Prohibited list
          </Link>
        }
      />
      <form
        role="search"
        class="toolbar"
        aria-label="Filter software"
        onSubmit={(e) => {
          e.preventDefault();
          show({ ...view, q: text.trim(), page: 1 });
        }}
      >
        <div class="field field-grow">
          <label for="software-search">Search software</label>
          <input
            id="software-search"
            type="search"
            placeholder="Package name or publisher"
            value={text}
            maxLength={200}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="field field-check">
          <input
            id="software-prohibited"
            type="checkbox"
            checked={view.prohibited}
            onChange={(e) => show({ ...view, prohibited: e.currentTarget.checked, page: 1 })}
          />
          <label for="software-prohibited">Prohibited only</label>
        </div>
      </form>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <div class="table-wrap" aria-busy={list.loading}>
        <table class="data">
          <caption class="visually-hidden">Software across the fleet</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Publisher</th>
              <th scope="col" class="num">
                Devices
              </th>
              <th scope="col" class="num">
                Versions
              </th>
              <th scope="col">Policy</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((s) => (
              <tr key={s.name} class="clickable" onClick={openOnClick(href.package(s.name))}>
                <th scope="row">
                  <Link href={href.package(s.name)}>{s.name}</Link>
                </th>
                <td>{s.publisher ?? '—'}</td>
                <td class="num">{formatCount(s.devices)}</td>
                <td class="num">{formatCount(s.versions)}</td>
                <td>{s.prohibited ? <Badge kind="danger">Prohibited</Badge> : null}</td>
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <EmptyRow colSpan={5}>{view.q || view.prohibited ? 'No software matches.' : 'No software reported yet.'}</EmptyRow>
            ) : null}
          </tbody>
        </table>
      </div>
      {list.data ? (
        <Pager
          label="Software pages"
          offset={list.data.offset}
          shown={list.data.items.length}
          total={list.data.total}
          onPrev={() => show({ ...view, page: Math.max(1, view.page - 1) })}
          onNext={() => show({ ...view, page: view.page + 1 })}
        />
      ) : null}
    </>
  );
}
