// Adds a package to the store: an installer file (uploaded first, kept by its sha256) or a package
// the OS's own manager installs, with its silent arguments and detection rule. Admins only (the
// server refuses others, and the form shows why).
import { useState } from 'preact/hooks';
import type { PackageJson } from '../../../../shared/deploy-api.js';
import { FILE_INSTALLERS, INSTALLERS, type Installer } from '../../../../shared/deploy.js';
import { api, uploadPackageFile } from '../../api/client.js';
import { announce } from '../../app/announce.js';
import { useAction } from '../../app/use-action.js';
import { FormError } from '../../components/common.js';

const INSTALLER_LABEL: Record<Installer, string> = {
  deb: '.deb file (Linux, apt-get/dpkg)',
  rpm: '.rpm file (Linux, dnf/rpm)',
  msi: '.msi file (Windows, msiexec)',
  pkg: '.pkg file (macOS, installer)',
  apt: 'apt package (Linux)',
  dnf: 'dnf package (Linux)',
  winget: 'winget package (Windows)',
};

export function AddPackageForm({ onAdded }: { onAdded: (pkg: PackageJson) => void }) {
  const [installer, setInstaller] = useState<Installer>('deb');
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const [managerPackage, setManagerPackage] = useState('');
  const [args, setArgs] = useState('');
  const [detectName, setDetectName] = useState('');
  const [detectVersion, setDetectVersion] = useState('');
  const [selfService, setSelfService] = useState(false);
  const { busy, error, run } = useAction();
  const isFile = FILE_INSTALLERS.includes(installer);

  async function submit(event: Event) {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    await run(async () => {
      let sha256: string | undefined;
      if (isFile) {
        if (!file) throw new Error('Choose the installer file.');
        sha256 = (await uploadPackageFile(file, { name: file.name.replace(/[^A-Za-z0-9._+~-]/g, '_') })).sha256;
      }
      const pkg = await api('POST /api/packages', {
        body: {
          name: name.trim(),
          installer,
          ...(version.trim() ? { version: version.trim() } : {}),
          ...(sha256 ? { sha256 } : { managerPackage: managerPackage.trim() }),
          args: args
            .split('\n')
            .map((a) => a.trim())
            .filter(Boolean),
          detection: { name: (detectName || name).trim(), ...(detectVersion.trim() ? { version: detectVersion.trim() } : {}) },
          selfService,
        },
      });
      formElement.reset(); // the file input keeps its file otherwise
      setFile(null);
      setName('');
      setVersion('');
      setManagerPackage('');
      setArgs('');
      setDetectName('');
      setDetectVersion('');
      onAdded(pkg);
      announce(`Package ${pkg.name} added.`);
    });
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="add-package-title">
      <h2 id="add-package-title">Add a package</h2>
      <div class="field">
        <label for="package-installer">Installer</label>
        <select id="package-installer" value={installer} onChange={(e) => setInstaller(e.currentTarget.value as Installer)}>
          {INSTALLERS.map((i) => (
            <option key={i} value={i}>
              {INSTALLER_LABEL[i]}
            </option>
          ))}
        </select>
      </div>
      {isFile ? (
        <div class="field">
          <label for="package-file">File</label>
          <input id="package-file" type="file" accept={`.${installer}`} onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
          <p class="help">Kept by its SHA-256; agents refuse any other bytes.</p>
        </div>
      ) : (
        <div class="field">
          <label for="package-manager-name">Package name</label>
          <input
            id="package-manager-name"
            required
            maxLength={200}
            placeholder="e.g. htop, Mozilla.Firefox"
            value={managerPackage}
            onInput={(e) => setManagerPackage(e.currentTarget.value)}
          />
        </div>
      )}
      <div class="form-row">
        <div class="field">
          <label for="package-name">Name</label>
          <input id="package-name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="package-version">Version</label>
          <input id="package-version" maxLength={200} value={version} onInput={(e) => setVersion(e.currentTarget.value)} />
        </div>
      </div>
      <div class="field">
        <label for="package-args">Silent arguments</label>
        <textarea
          id="package-args"
          rows={2}
          placeholder="One per line, e.g. ALLUSERS=1"
          value={args}
          onInput={(e) => setArgs(e.currentTarget.value)}
        />
      </div>
      <div class="form-row">
        <div class="field">
          <label for="package-detect-name">Detected as (inventory name)</label>
          <input
            id="package-detect-name"
            maxLength={200}
            placeholder="The name, if left empty"
            value={detectName}
            onInput={(e) => setDetectName(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="package-detect-version">Detected version</label>
          <input
            id="package-detect-version"
            maxLength={200}
            placeholder="Any"
            value={detectVersion}
            onInput={(e) => setDetectVersion(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="field">
        <label>
          <input type="checkbox" checked={selfService} onChange={(e) => setSelfService(e.currentTarget.checked)} /> Offer it for
          self-service in the tray
        </label>
      </div>
      <FormError message={error} />
      <button type="submit" class="button button-primary" disabled={busy}>
        {busy ? 'Adding…' : 'Add package'}
      </button>
    </form>
  );
}
