import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it, mock } from 'node:test';
import { verifyPassword } from '../../server/auth/passwords.js';
import { hashSecret } from '../../server/store/secrets.js';
import { SqliteAdminStore } from '../../server/store/sqlite/admin-store.js';
import { openDatabase } from '../../server/store/sqlite/open.js';
import { startHarness, type Harness } from '../../test/support/server/harness.js';
import { adminCreateCommand, adminPasswdCommand, promptHidden, type PasswordTerminal } from './admin.js';
import { CLI_ENTRY, runCli } from '../../test/support/run-cli.js';

const PASSWORD = 'a long enough password';

/** Reads the stored admin with a separate connection, as the server would. */
function storedAdmin(dataDir: string, username: string) {
  const db = openDatabase(dataDir);
  return new SqliteAdminStore(db).getAdmin(username).finally(() => db.close());
}

describe('outpost admin', () => {
  let h: Harness;
  let files: string;
  before(async () => {
    files = mkdtempSync(join(tmpdir(), 'outpost-admin-cli-'));
    h = await startHarness(); // a running server on the same data directory
  });
  after(async () => {
    await h.close();
    rmSync(files, { recursive: true, force: true });
  });

  it('creates an admin from the first line of stdin while the server runs; the stored hash verifies', async () => {
    const r = await runCli(['admin', 'create', 'Alice', '--data', h.dataDir], `${PASSWORD}\nsecond line ignored\n`);
    assert.deepEqual(r, { code: 0, stdout: `Created admin Alice in ${h.dataDir}.\n`, stderr: '' });
    const admin = await storedAdmin(h.dataDir, 'alice');
    assert.equal(admin?.username, 'Alice');
    assert.match(admin.passwordHash, /^\$scrypt\$ln=16,r=8,p=2\$/);
    assert.equal(await verifyPassword(PASSWORD, admin.passwordHash), true);
    assert.equal(await verifyPassword('second line ignored', admin.passwordHash), false);
  });

  it("changes a password from --password-file and ends that admin's sessions", async () => {
    const db = openDatabase(h.dataDir);
    const admins = new SqliteAdminStore(db);
    await admins.createAdmin('bob', 'old-hash', Date.now());
    const sessionHash = hashSecret('a-session-id');
    await admins.createSession({ idHash: sessionHash, username: 'bob', csrfToken: 'c', now: Date.now() });
    const file = join(files, 'bob.txt');
    writeFileSync(file, 'bob has a new password\r\n');
    const printed = mock.method(console, 'log', () => undefined);
    await adminPasswdCommand('BOB', { data: h.dataDir, passwordFile: file });
    assert.deepEqual(
      printed.mock.calls.map((c) => c.arguments),
      [['Changed the password of bob; their console sessions have ended.']],
    );
    printed.mock.restore();
    assert.equal(await verifyPassword('bob has a new password', (await admins.getAdmin('bob'))!.passwordHash), true);
    assert.equal(await admins.getSession(sessionHash, Date.now()), null);
    db.close();
  });

  it('refuses bad input with one line and a code, changing nothing', async () => {
    const data = { data: h.dataDir };
    const piped = (text: string): PasswordTerminal => {
      const input = new PassThrough();
      input.end(text);
      return { input, output: new PassThrough() };
    };
    // The real binary once, for the one-line message and exit code; the rest in-process (each spawn costs seconds).
    const short = await runCli(['admin', 'create', 'carol', '--data', h.dataDir], 'short\n');
    assert.deepEqual(short, { code: 1, stdout: '', stderr: 'outpost: The password must be 12 to 1024 characters long (it has 5).\n' });
    const cases: [Promise<void>, string, string][] = [
      [
        adminCreateCommand('alice', data, piped('another long password\n')),
        'E_CONFLICT',
        'An admin named alice already exists; "outpost admin passwd alice" changes the password.',
      ],
      [
        adminCreateCommand('carol smith', data, piped(`${PASSWORD}\n`)),
        'E_CONFIG',
        'Username "carol smith": use 1 to 64 letters, digits and . _ @ - (starting with a letter or digit).',
      ],
      [
        adminCreateCommand('carol', data, piped('')),
        'E_CONFIG',
        'No password on standard input: pipe one line, use --password-file, or run in a terminal.',
      ],
      [
        adminCreateCommand('carol', data, piped('x'.repeat(9000))),
        'E_WEAK_PASSWORD',
        'The password on standard input is longer than 1024 characters.',
      ],
      [
        adminPasswdCommand('nobody', data, piped(`${PASSWORD}\n`)),
        'E_NOT_FOUND',
        'No admin named nobody; "outpost admin create" adds one.',
      ],
      [
        adminCreateCommand('carol', { ...data, passwordFile: join(files, 'missing.txt') }),
        'E_CONFIG',
        `--password-file ${join(files, 'missing.txt')}: cannot read (ENOENT)`,
      ],
    ];
    for (const [run, code, message] of cases) await assert.rejects(run, { code, message });
    assert.equal(await verifyPassword(PASSWORD, (await storedAdmin(h.dataDir, 'alice'))!.passwordHash), true);
    assert.equal(await storedAdmin(h.dataDir, 'carol'), null);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it(
    'at a real terminal, asks twice without echoing what is typed',
    { skip: !hasScript && 'needs script(1) for a pseudo-terminal: apt-get install bsdutils' },
    async () => {
      const typed = 'typed at the terminal';
      const transcript = await atTerminal(`admin create dave --data ${h.dataDir}`, [typed, typed]);
      assert.match(transcript, /^Password for dave: \r?\nRepeat it: \r?\nCreated admin dave in /);
      assert.ok(!transcript.includes(typed), transcript);
      assert.equal(await verifyPassword(typed, (await storedAdmin(h.dataDir, 'dave'))!.passwordHash), true);
    },
  );

  it('at a terminal, refuses two different passwords, and a short one before asking again', async () => {
    const differ = fakeTerminal(['first long password', 'second long password']);
    await assert.rejects(adminCreateCommand('erin', { data: h.dataDir }, differ), {
      code: 'E_CONFIG',
      message: 'The two passwords differ; nothing was changed.',
    });
    const short = fakeTerminal(['short']);
    await assert.rejects(adminCreateCommand('erin', { data: h.dataDir }, short), { code: 'E_WEAK_PASSWORD' });
    assert.deepEqual(short.prompts, ['Password for erin: ']);
    assert.equal(await storedAdmin(h.dataDir, 'erin'), null);
  });

  it('edits the hidden line: backspace removes a character, Ctrl-C cancels', async () => {
    const t = fakeTerminal(['secret!\u007f\u007fX']);
    assert.equal(await promptHidden('Password: ', t), 'secreX');
    assert.deepEqual(t.raw, [true, false]);
    assert.deepEqual(t.shown, ['Password: ', '\n']);

    const c = fakeTerminal(['abc\u0003']);
    await assert.rejects(promptHidden('Password: ', c), { code: 'E_CONFIG', message: 'Cancelled; nothing was changed.' });
    assert.deepEqual(c.raw, [true, false]);
  });
});

/** A terminal that types each of `lines` (then Enter) when a prompt shows, recording what was shown. */
function fakeTerminal(lines: string[]): PasswordTerminal & { shown: string[]; prompts: string[]; raw: boolean[] } {
  const raw: boolean[] = [];
  const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: (on: boolean) => raw.push(on) });
  const output = new PassThrough();
  const t = { input, output, shown: [] as string[], prompts: [] as string[], raw };
  output.on('data', (d: Buffer) => {
    const text = d.toString();
    t.shown.push(text);
    if (text.endsWith(': ')) {
      t.prompts.push(text);
      const line = lines[t.prompts.length - 1];
      if (line !== undefined) input.write(`${line}\r`);
    }
  });
  return t;
}

/** Runs the CLI on a pseudo-terminal, typing each line once its prompt shows; returns what the terminal showed. */
function atTerminal(args: string, lines: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const command = `${process.execPath} --import tsx ${CLI_ENTRY} ${args}`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, OUTPOST_DATA_DIR: '' } });
    let shown = '';
    let prompts = 0;
    child.stdout.on('data', (d: Buffer) => {
      shown += d.toString();
      const seen = (shown.match(/(Password for \w+|Repeat it): /g) ?? []).length;
      for (; prompts < seen && prompts < lines.length; prompts++) child.stdin.write(`${lines[prompts]}\r`);
    });
    child.on('error', reject);
    child.on('close', () => resolve(shown));
  });
}
