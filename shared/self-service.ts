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

// --- Requests: the person asks for a catalog package, or to keep a prohibited one -------------------

export const SOFTWARE_REQUEST_KINDS = ['install', 'exception'] as const;
export type SoftwareRequestKind = (typeof SOFTWARE_REQUEST_KINDS)[number];
/** pending until the desk answers; approved or rejected as IT decided there. */
export const APPROVAL_STATES = ['pending', 'approved', 'rejected'] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

export const SOFTWARE_REQUEST_LIMITS = {
  /** Why the person wants it, in their words. */
  reasonChars: 2_000,
  /** The desk's reason for a rejection, as the endpoint keeps it (a desk note's length). */
  deskReasonChars: 20_000,
} as const;

const reason = z.string().trim().max(SOFTWARE_REQUEST_LIMITS.reasonChars);

/** What the Get software page sends (`software.request` in the local API). */
export const SoftwareRequestInputSchema = z.discriminatedUnion('kind', [
  /** A package from this machine's catalog (`software.catalog`), by its id. */
  z.object({ kind: z.literal('install'), packageId: SelfServicePackageSchema.shape.id, reason: reason.default('') }).strict(),
  /** Keep software the prohibited list names on this machine: a reason is required. */
  z
    .object({
      kind: z.literal('exception'),
      name: z.string().trim().min(1, 'is required').max(DEPLOY_LIMITS.nameChars),
      reason: reason.min(1, 'is required'),
    })
    .strict(),
]);
export type SoftwareRequestInput = z.input<typeof SoftwareRequestInputSchema>;

/** The request as it travels with its ticket (`ticket.create`) and is kept with it: which package. */
export const SoftwareRequestSchema = z.object({
  kind: z.enum(SOFTWARE_REQUEST_KINDS),
  /** The package store's id (install); null for an exception, which names software, not a package. */
  packageId: z.string().min(1).max(64).nullable(),
  name: z.string().min(1).max(DEPLOY_LIMITS.nameChars),
  version: z.string().max(DEPLOY_LIMITS.nameChars).nullable(),
});
export type SoftwareRequest = z.infer<typeof SoftwareRequestSchema>;

/** The desk's answer as the endpoint shows it; `reason` is the desk's last note on a rejection. */
export const SoftwareApprovalSchema = z.object({
  state: z.enum(APPROVAL_STATES),
  reason: z.string().max(SOFTWARE_REQUEST_LIMITS.deskReasonChars).nullable(),
  at: z.string().max(40).nullable(),
});
export type SoftwareApproval = z.infer<typeof SoftwareApprovalSchema>;

/** A ticket's software request with where its approval stands, as My tickets and Get software show it. */
export const TicketSoftwareRequestSchema = SoftwareRequestSchema.extend({ approval: SoftwareApprovalSchema });
export type TicketSoftwareRequest = z.infer<typeof TicketSoftwareRequestSchema>;

export const PENDING_APPROVAL: SoftwareApproval = { state: 'pending', reason: null, at: null };

/** The ticket a request becomes: a subject IT recognises in the desk queue and a description that
 * says what to approve, also for a desk (or server) that knows nothing of the typed field. */
export function softwareRequestTicket(request: SoftwareRequest, why: string): { subject: string; description: string } {
  const what = request.version ? `${request.name} ${request.version}` : request.name;
  const subject = request.kind === 'install' ? `Software request: ${what}` : `Exception to the prohibited list: ${what}`;
  const ask =
    request.kind === 'install'
      ? `Please install ${what} (package ${request.packageId ?? '?'}) on this computer.`
      : `Please let this computer keep ${what}, which the prohibited-software list names.`;
  const lines = [
    ask,
    '',
    `Why: ${why.trim() === '' ? '(no reason given)' : why.trim()}`,
    '',
    'This request needs approval in the service desk.',
  ];
  return { subject: subject.slice(0, 200), description: lines.join('\n') };
}
