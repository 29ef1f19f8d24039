// Software deployment's shared vocabulary: what a package is, the signed command the server sends an
// agent to install one, and each step the agent reports back. Used by the protocol (shared/protocol.ts),
// the HTTP API (shared/http-schemas.ts) and both ends; the server signs canonicalJson(command) with
// its Ed25519 key and the agent verifies it with the key it pinned at enrolment.
import { z } from 'zod';

export const DEPLOY_LIMITS = {
  /** Largest installer the package store keeps (the upload is refused past it, nothing kept). */
  maxPackageBytes: 1024 * 1024 * 1024,
  /** Characters of the installer's captured output kept and reported (its tail). */
  outputTailChars: 4000,
  /** Silent arguments of one package. */
  maxArgs: 32,
  argChars: 512,
  /** Devices one deployment may name. */
  maxTargets: 5000,
  /** Characters of a package's name, version, file name. */
  nameChars: 200,
} as const;

/** How the agent installs: a file it downloads (by kind) or a package the OS's own manager fetches. */
export const INSTALLERS = ['deb', 'rpm', 'msi', 'pkg', 'apt', 'dnf', 'winget'] as const;
export type Installer = (typeof INSTALLERS)[number];
export const FILE_INSTALLERS: readonly Installer[] = ['deb', 'rpm', 'msi', 'pkg'];
export const PACKAGE_PLATFORMS = ['linux', 'windows', 'darwin'] as const;
export type PackagePlatform = (typeof PACKAGE_PLATFORMS)[number];

/** Which platform each installer runs on. */
export const INSTALLER_PLATFORM: Readonly<Record<Installer, PackagePlatform>> = {
  deb: 'linux',
  rpm: 'linux',
  apt: 'linux',
  dnf: 'linux',
  msi: 'windows',
  winget: 'windows',
  pkg: 'darwin',
};

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (sha256)');

/** An argument is passed to the installer as one argv entry (never through a shell). */
const ArgSchema = z
  .string()
  .min(1)
  .max(DEPLOY_LIMITS.argChars)
  // eslint-disable-next-line no-control-regex
  .refine((a) => !/[\u0000-\u001f]/.test(a), 'must not hold control characters');
const NameText = z.string().trim().min(1).max(DEPLOY_LIMITS.nameChars);
/** A manager's package id: apt/dnf names, winget ids ("Mozilla.Firefox"). No options smuggled in. */
const ManagerPackageSchema = z
  .string()
  .min(1)
  .max(DEPLOY_LIMITS.nameChars)
  .regex(/^[A-Za-z0-9][A-Za-z0-9.+_:~-]*$/, 'must be a package name (letters, digits, . + _ : ~ -)');

/** How the agent knows it is installed: an inventory entry with this name (and version, when given). */
export const DetectionSchema = z.object({ name: NameText, version: z.string().trim().min(1).max(DEPLOY_LIMITS.nameChars).optional() });
export type Detection = z.infer<typeof DetectionSchema>;

/** The package as the command carries it: everything the agent needs, nothing it must look up. */
export const CommandPackageSchema = z.object({
  id: z.string().min(1).max(64),
  name: NameText,
  version: z.string().max(DEPLOY_LIMITS.nameChars).nullable(),
  installer: z.enum(INSTALLERS),
  /** For file installers: the file's content hash and size; the agent refuses anything else. */
  file: z.object({ sha256: Sha256Schema, size: z.number().int().positive().max(DEPLOY_LIMITS.maxPackageBytes) }).nullable(),
  /** For manager installers: the package the manager installs. */
  managerPackage: ManagerPackageSchema.nullable(),
  args: z.array(ArgSchema).max(DEPLOY_LIMITS.maxArgs),
  detection: DetectionSchema,
  /** Seconds the installer may run before it is stopped and the step failed. */
  timeoutSeconds: z
    .number()
    .int()
    .min(10)
    .max(4 * 3600),
  /** Further attempts after a transient failure (another install running, a download cut). */
  retries: z.number().int().min(0).max(5),
});
export type CommandPackage = z.infer<typeof CommandPackageSchema>;

/** What the server signs: one deployment of one package to one device, in an optional window. */
export const DeployCommandSchema = z.object({
  deploymentId: z.string().min(8).max(64),
  deviceId: z.string().min(1).max(64),
  package: CommandPackageSchema,
  /** ISO 8601: not before / not after (a window); null: now / no end. */
  notBefore: z.string().datetime({ offset: true }).nullable(),
  notAfter: z.string().datetime({ offset: true }).nullable(),
  issuedAt: z.string().datetime({ offset: true }),
});
export type DeployCommand = z.infer<typeof DeployCommandSchema>;

export const DEPLOY_STATES = ['pending', 'queued', 'downloading', 'installing', 'succeeded', 'failed'] as const;
export type DeployState = (typeof DEPLOY_STATES)[number];
/** What the agent reports (pending is the server's: not heard from the agent yet). */
export const STEP_STATES = ['queued', 'downloading', 'installing', 'succeeded', 'failed'] as const;
export type StepState = (typeof STEP_STATES)[number];
export const FINAL_STATES: readonly DeployState[] = ['succeeded', 'failed'];

/** One step of one deployment on the device, as the outbox carries it. */
export const DeployStepSchema = z.object({
  deploymentId: z.string().min(8).max(64),
  state: z.enum(STEP_STATES),
  /** 1 for the first try; a retry counts up. */
  attempt: z.number().int().min(1).max(10),
  /** Why it failed (a stable code from shared/errors.ts) and what to tell IT. */
  code: z.string().max(64).optional(),
  message: z.string().max(1000).optional(),
  exitCode: z.number().int().optional(),
  rebootRequired: z.boolean().optional(),
  /** The installer's last output, bounded. */
  outputTail: z.string().max(DEPLOY_LIMITS.outputTailChars).optional(),
});
export type DeployStep = z.infer<typeof DeployStepSchema>;

/** A package's fields IT gives (POST /api/packages). */
export const PackageInputSchema = z
  .object({
    name: NameText,
    version: z.string().trim().min(1).max(DEPLOY_LIMITS.nameChars).optional(),
    installer: z.enum(INSTALLERS),
    /** The uploaded file (POST /api/packages/files answered its hash), for deb/rpm/msi/pkg. */
    sha256: Sha256Schema.optional(),
    /** For apt/dnf/winget. */
    managerPackage: ManagerPackageSchema.optional(),
    args: z.array(ArgSchema).max(DEPLOY_LIMITS.maxArgs).default([]),
    detection: DetectionSchema,
    platforms: z.array(z.enum(PACKAGE_PLATFORMS)).min(1).max(3).optional(),
    selfService: z.boolean().default(false),
    timeoutSeconds: z
      .number()
      .int()
      .min(10)
      .max(4 * 3600)
      .default(1800),
    retries: z.number().int().min(0).max(5).default(2),
  })
  .strict()
  .superRefine((p, ctx) => {
    const isFile = FILE_INSTALLERS.includes(p.installer);
    if (isFile && !p.sha256)
      ctx.addIssue({ code: 'custom', path: ['sha256'], message: `a ${p.installer} package needs its uploaded file's sha256` });
    if (isFile && p.managerPackage) ctx.addIssue({ code: 'custom', path: ['managerPackage'], message: 'only for apt, dnf or winget' });
    if (!isFile && !p.managerPackage)
      ctx.addIssue({ code: 'custom', path: ['managerPackage'], message: `a ${p.installer} package needs its package name` });
    if (!isFile && p.sha256) ctx.addIssue({ code: 'custom', path: ['sha256'], message: 'only for deb, rpm, msi or pkg' });
    const platform = INSTALLER_PLATFORM[p.installer];
    if (p.platforms && !p.platforms.every((x) => x === platform)) {
      ctx.addIssue({ code: 'custom', path: ['platforms'], message: `a ${p.installer} package installs on ${platform} only` });
    }
  });
export type PackageInput = z.input<typeof PackageInputSchema>;
