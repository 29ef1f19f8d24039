import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { agentSecrets } from './agent-secrets.js';
import { AGENT_SETTINGS, resolveSettings } from './config.js';

const TOKEN = 'enrol-token-0123456789abcdef';
const file = (name: string, content: string, mode = 0o600) => {
  const path = join(mkdtempSync(join(tmpdir(), 'outpost-secrets-')), name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
};
const resolve = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
  const warnings: string[] = [];
  const secrets = agentSecrets(resolveSettings(AGENT_SETTINGS, { server: 'https://outpost.example', ...flags }, env), flags, (l) =>
    warnings.push(l),
  );
  return { secrets, warnings };
};

describe('agent enrolment token and CA', () => {
  it('reads the token from --token-file, OUTPOST_ENROL_TOKEN_FILE or "tokenFile", without a warning', () => {
    const path = file('token', `${TOKEN}\n`);
    assert.deepEqual(resolve({ tokenFile: path }), { secrets: { token: TOKEN }, warnings: [] });
    assert.deepEqual(resolve({}, { OUTPOST_ENROL_TOKEN_FILE: path }).secrets, { token: TOKEN });
    assert.deepEqual(resolve({ config: file('agent.json', JSON.stringify({ tokenFile: path })) }).secrets, { token: TOKEN });
  });

  it('still takes --token and OUTPOST_ENROL_TOKEN, warning once about the flag only', () => {
    const flag = resolve({ token: TOKEN });
    assert.equal(flag.secrets.token, TOKEN);
    assert.equal(flag.warnings.length, 1);
    assert.match(flag.warnings[0]!, /--token is visible to every local user.*--token-file/);
    assert.doesNotMatch(flag.warnings[0]!, new RegExp(TOKEN), 'the warning never repeats the token');
    assert.deepEqual(resolve({}, { OUTPOST_ENROL_TOKEN: TOKEN }), { secrets: { token: TOKEN }, warnings: [] });
  });

  it('warns when the token file is readable by other accounts', () => {
    const { warnings } = resolve({ tokenFile: file('token', TOKEN, 0o644) });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /can be read by other accounts; chmod 600/);
  });

  it('refuses a missing or empty token file with E_CONFIG naming the file', () => {
    assert.throws(
      () => resolve({ tokenFile: '/nonexistent/token' }),
      (e: Error & { code?: string }) =>
        e.code === 'E_CONFIG' && /--token-file \/nonexistent\/token: cannot read \(ENOENT\)/.test(e.message),
    );
    assert.throws(() => resolve({ tokenFile: file('token', '\n') }), /must hold one enrolment token/);
  });

  it("pins a CA from --ca-file or the config file's PEM, and refuses a file that is not one", () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    assert.equal(resolve({ caFile: file('ca.pem', pem) }).secrets.ca, pem);
    assert.equal(resolve({ config: file('agent.json', JSON.stringify({ ca: pem })) }).secrets.ca, pem);
    assert.throws(() => resolve({ caFile: file('ca.pem', 'hello') }), /--ca-file .*: not a PEM certificate/);
    assert.throws(
      () => resolve({ config: file('agent.json', JSON.stringify({ ca: 'hello' })) }),
      /"ca" in the config file \(from file\): must be a PEM certificate/,
    );
  });
});
