// Self-service software: the packages IT allowed people to ask for on their own machine (a package's
// `selfService` flag, shared/deploy.ts), as the server sends them to each agent (only those for the
// device's platform) and the tray lists them on its "Get software" page.
import { z } from 'zod';
import { DEPLOY_LIMITS, INSTALLER_PLATFORM, INSTALLERS, type Installer, type PackagePlatform } from './deploy.js';

export const SELF_SERVICE_LIMITS = {
  /** Packages one catalog message carries. */
  packages: 500,
} as const;

export const SelfServicePackageSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(DEPLOY_LIMITS.nameChars),
  version: z.string().max(DEPLOY_LIMITS.nameChars).nullable(),
  installer: z.enum(INSTALLERS),
});
export type SelfServicePackage = z.infer<typeof SelfServicePackageSchema>;

/** The package platform of an inventory's os.platform (Node's names); null for one no installer serves. */
export function packagePlatformOf(osPlatform: string | null | undefined): PackagePlatform | null {
  switch (osPlatform) {
    case 'linux':
      return 'linux';
    case 'darwin':
      return 'darwin';
    case 'win32':
      return 'windows';
    default:
      return null;
  }
}

interface CatalogCandidate {
  id: string;
  name: string;
  version: string | null;
  installer: Installer;
  platforms: readonly PackagePlatform[];
  selfService: boolean;
}

/** What a device of this platform may ask for: self-service packages that install on it, by name. */
export function selfServiceCatalog(packages: readonly CatalogCandidate[], osPlatform: string | null | undefined): SelfServicePackage[] {
  const platform = packagePlatformOf(osPlatform);
  if (platform === null) return [];
  return packages
    .filter(
      (p) => p.selfService && INSTALLER_PLATFORM[p.installer] === platform && (p.platforms.length === 0 || p.platforms.includes(platform)),
    )
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || (a.version ?? '').localeCompare(b.version ?? ''))
    .slice(0, SELF_SERVICE_LIMITS.packages)
    .map((p) => ({ id: p.id, name: p.name, version: p.version, installer: p.installer }));
}
