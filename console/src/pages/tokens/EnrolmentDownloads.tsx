// The new token's enrolment settings per OS (the files `outpost package` writes), as downloads made
// in the browser from the answer: nothing is stored on the server to fetch again.
import { useEffect, useMemo } from 'preact/hooks';
import type { EnrolmentFileJson } from '../../../../shared/http-api.js';

const OS_NAME = { linux: 'Linux (deb/rpm)', windows: 'Windows', macos: 'macOS' } as const;

export function EnrolmentDownloads({ files }: { files: EnrolmentFileJson[] }) {
  const urls = useMemo(() => files.map((f) => URL.createObjectURL(new Blob([f.content], { type: f.mediaType }))), [files]);
  useEffect(() => () => urls.forEach((u) => URL.revokeObjectURL(u)), [urls]);
  return (
    <section aria-labelledby="enrolment-files-title">
      <h3 id="enrolment-files-title">Installer settings</h3>
      <p class="help">The same token for the endpoint installers. Each file holds the token: keep it as you would a password.</p>
      <ul class="downloads">
        {files.map((f, i) => (
          <li key={`${f.os}/${f.name}`}>
            <a href={urls[i]} download={f.name} aria-describedby={`enrolment-file-${i}`}>
              {OS_NAME[f.os]}: {f.name}
            </a>
            <span id={`enrolment-file-${i}`} class="help">
              {' '}
              {f.description}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
