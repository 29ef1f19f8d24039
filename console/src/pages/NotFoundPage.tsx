import { Link } from '../app/nav.js';
import { PageTitle } from '../components/common.js';
import { href } from '../lib/routes.js';

export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Page not found">Page not found</PageTitle>
      <p>
        There is no page at this address. <Link href={href.devices()}>Go to the devices</Link>.
      </p>
    </>
  );
}
