import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import plist from 'plist';
import { enrolmentFiles } from './files.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const input = {
  serverUrl: 'https://outpost.example.org',
  token: 'tok_0123456789abcdefXYZ',
  tokenId: 'a1b2c3d4e5f60718',
  label: 'Lyon <office> & co',
  expiresAt: '2026-12-14T00:00:00.000Z',
  caPem: CA,
};
const byName = (name: string, files = enrolmentFiles(input)) => {
  const f = files.find((x) => x.name === name);
  assert.ok(f, name);
  return f;
};

describe('enrolment settings files', () => {
  it('gives the deb/rpm its /etc/outpost/agent.json, root-only, with the pinned CA', () => {
    const f = byName('agent.json');
    assert.equal(f.mode, 0o600);
    assert.deepEqual(JSON.parse(f.content), { server: input.serverUrl, token: input.token, ca: CA });
    assert.equal(
      'ca' in
        JSON.parse(
          byName('agent.json', enrolmentFiles({ serverUrl: input.serverUrl, token: input.token, tokenId: input.tokenId, expiresAt: null }))
            .content,
        ),
      false,
    );
  });

  it('gives Windows a token file and the exact silent-install command that reads it', () => {
    assert.equal(byName('outpost-enrol.token').content, `${input.token}\r\n`);
    const cmd = byName('install-outpost.cmd').content;
    assert.match(
      cmd,
      /^"%~dp0Outpost-Setup\.exe" \/S \/SERVER=https:\/\/outpost\.example\.org \/TOKEN_FILE="%~dp0outpost-enrol\.token" \/CA_FILE="%~dp0outpost-ca\.pem"$/m,
    );
    assert.equal(cmd.includes(input.token), false, 'the token stays in its file, out of the command line');
    assert.equal(byName('outpost-ca.pem').content, CA);
  });

  it('gives macOS a system configuration profile that a plist parser reads back', () => {
    const profile = plist.parse(byName('outpost.mobileconfig').content) as Record<string, unknown>;
    assert.equal(profile.PayloadType, 'Configuration');
    assert.equal(profile.PayloadScope, 'System');
    assert.equal(profile.PayloadDisplayName, 'Outpost enrolment: Lyon <office> & co');
    assert.match(String(profile.PayloadUUID), /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-8[0-9A-F]{3}-[0-9A-F]{12}$/);
    const [payload] = profile.PayloadContent as Record<string, unknown>[];
    assert.deepEqual(
      { type: payload!.PayloadType, server: payload!.server, token: payload!.token, ca: payload!.ca },
      { type: 'org.outpost.agent', server: input.serverUrl, token: input.token, ca: CA },
    );
    assert.equal(
      (plist.parse(enrolmentFiles(input).find((f) => f.os === 'macos')!.content) as { PayloadUUID: string }).PayloadUUID,
      profile.PayloadUUID,
      'the same token gives the same profile UUID, so a re-download replaces it',
    );
  });
});
