// Per-fleet enrolment settings in each OS's own form, like `fleetctl package`: the server URL, a
// fresh enrolment token and an optional pinned CA, as the deb/rpm's /etc/outpost/agent.json, the
// Windows installer's silent-install command and token file, and a macOS configuration profile
// whose preferences the LaunchDaemon reads. `outpost package` writes them; POST /api/tokens
// returns them for the console's downloads.
import { createHash } from 'node:crypto';
import type { EnrolmentFileJson } from '../../shared/http-api.js';
import { toPlist, type PlistValue } from './plist.js';

export interface EnrolmentInput {
  serverUrl: string;
  token: string;
  tokenId: string;
  label?: string;
  /** ISO time the token stops working, shown in the profile's description. */
  expiresAt: string | null;
  /** PEM of the CA the agents pin instead of the system store. */
  caPem?: string;
}

/** The profile's payload type is the agent's preference domain: macOS puts the keys in /Library/Managed Preferences/org.outpost.agent.plist. */
export const MAC_PREFERENCE_DOMAIN = 'org.outpost.agent';

/** A stable UUID from the token id, so a profile re-downloaded for one token replaces itself on a Mac. */
function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function enrolmentFiles(input: EnrolmentInput): EnrolmentFileJson[] {
  const settings = { server: input.serverUrl, token: input.token, ...(input.caPem ? { ca: input.caPem } : {}) };
  const fleet = input.label ?? 'Outpost fleet';
  const expiry = input.expiresAt ? `The enrolment token expires ${input.expiresAt}.` : 'The enrolment token does not expire.';
  const files: EnrolmentFileJson[] = [
    {
      os: 'linux',
      name: 'agent.json',
      mode: 0o600,
      mediaType: 'application/json',
      description: 'deb/rpm: copy to /etc/outpost/agent.json (root, mode 0600) before or after installing outpost-agent.',
      content: `${JSON.stringify(settings, null, 2)}\n`,
    },
    {
      os: 'windows',
      name: 'outpost-enrol.token',
      mode: 0o600,
      mediaType: 'text/plain',
      description: 'Windows: the token file the installer reads with /TOKEN_FILE=; keep it beside the installer on the deployment share.',
      content: `${input.token}\r\n`,
    },
  ];
  const caArg = input.caPem ? ' /CA_FILE="%~dp0outpost-ca.pem"' : '';
  if (input.caPem) {
    files.push({
      os: 'windows',
      name: 'outpost-ca.pem',
      mode: 0o644,
      mediaType: 'application/x-pem-file',
      description: 'Windows: the CA certificate the agent pins (/CA_FILE=).',
      content: input.caPem,
    });
  }
  files.push({
    os: 'windows',
    name: 'install-outpost.cmd',
    mode: 0o644,
    mediaType: 'text/plain',
    description: 'Windows: the silent install for GPO, Intune or SCCM, run as an administrator beside Outpost-Setup.exe.',
    content: [
      '@echo off',
      `rem Outpost silent install for ${fleet}. ${expiry}`,
      `"%~dp0Outpost-Setup.exe" /S /SERVER=${input.serverUrl} /TOKEN_FILE="%~dp0outpost-enrol.token"${caArg}`,
      '',
    ].join('\r\n'),
  });
  const payload: Record<string, PlistValue> = {
    PayloadType: MAC_PREFERENCE_DOMAIN,
    PayloadVersion: 1,
    PayloadIdentifier: `${MAC_PREFERENCE_DOMAIN}.settings.${input.tokenId}`,
    PayloadUUID: uuidFrom(`settings:${input.tokenId}`),
    PayloadDisplayName: 'Outpost agent enrolment',
    ...settings,
  };
  files.push({
    os: 'macos',
    name: 'outpost.mobileconfig',
    mode: 0o600,
    mediaType: 'application/x-apple-aspen-config',
    description: 'macOS: install through your MDM as a device (system) profile; the agent reads its settings at start.',
    content: toPlist({
      PayloadType: 'Configuration',
      PayloadVersion: 1,
      PayloadScope: 'System',
      PayloadIdentifier: `${MAC_PREFERENCE_DOMAIN}.enrolment.${input.tokenId}`,
      PayloadUUID: uuidFrom(`profile:${input.tokenId}`),
      PayloadDisplayName: `Outpost enrolment: ${fleet}`,
      PayloadDescription: `Lets the Outpost agent enrol with ${input.serverUrl}. ${expiry}`,
      PayloadContent: [payload],
    }),
  });
  return files;
}
