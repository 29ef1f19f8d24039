// `outpost admin create|passwd <username>`: web console accounts, written straight into the server's
// store (its SQLite file, or its PostgreSQL database with --store), so it works while the server runs
// (WAL, busy timeout), like `outpost token create`.
// The password never comes from a flag value (argv and shell history are readable): it is read from
// --password-file, or the first line of standard input, or typed twice at a terminal without echo.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OutpostError } from '../../shared/errors.js';
import { adminExistsError, changeAdminPassword, checkUsername, createAdminAccount, noSuchAdminError } from '../../server/auth/accounts.js';
import { PASSWORD_MAX_CHARS, checkPasswordPolicy } from '../../server/auth/passwords.js';
import type { AdminStore } from '../../server/store/admin-records.js';
import { describeStore, openStore } from '../../server/store/open-store.js';
import { SERVER_SETTINGS, resolveSettings } from '../config.js';

export interface AdminFlags {
  data?: string;
  store?: string;
  config?: string;
  passwordFile?: string;
}

/** Where the password comes from when there is no --password-file: process.stdin and stderr in real use. */
export interface PasswordTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  output: NodeJS.WritableStream;
}

/** More than any password we accept (1024 characters of up to 4 bytes) plus a line ending. */
const MAX_INPUT_BYTES = 8 * 1024;

export async function adminCreateCommand(
  username: string,
  flags: AdminFlags,
  terminal: PasswordTerminal = processTerminal(),
): Promise<void> {
  await withAdmins(username, flags, async (admins, dataDir) => {
    // Asked before the password is typed, and again (atomically) when it is written.
    if (await admins.getAdmin(username)) throw adminExistsError(username);
    const password = await readNewPassword(`Password for ${username}: `, flags, terminal);
    await createAdminAccount(admins, username, password, Date.now());
    console.log(`Created admin ${username} in ${dataDir}.`);
  });
}

export async function adminPasswdCommand(
  username: string,
  flags: AdminFlags,
  terminal: PasswordTerminal = processTerminal(),
): Promise<void> {
  await withAdmins(username, flags, async (admins) => {
    const admin = await admins.getAdmin(username);
    if (!admin) throw noSuchAdminError(username);
    const password = await readNewPassword(`New password for ${admin.username}: `, flags, terminal);
    await changeAdminPassword(admins, admin.username, password, Date.now());
    console.log(`Changed the password of ${admin.username}; their console sessions have ended.`);
  });
}

async function withAdmins(username: string, flags: AdminFlags, run: (admins: AdminStore, where: string) => Promise<void>): Promise<void> {
  checkUsername(username);
  const { data, store: url } = resolveSettings(
    { data: SERVER_SETTINGS.data, store: SERVER_SETTINGS.store },
    flags as Record<string, unknown>,
  );
  const where = { dataDir: resolve(data), store: url };
  const store = await openStore(where);
  try {
    await run(store.admins, describeStore(where));
  } finally {
    await store.close();
  }
}

/** The password, checked against the policy before anything is written. */
export async function readNewPassword(prompt: string, flags: AdminFlags, terminal: PasswordTerminal): Promise<string> {
  let password: string;
  if (flags.passwordFile !== undefined) password = readPasswordFile(flags.passwordFile);
  else if (!terminal.input.isTTY) password = await readFirstLine(terminal.input);
  else {
    password = await promptHidden(prompt, terminal);
    checkPasswordPolicy(password); // before asking again, not after
    if ((await promptHidden('Repeat it: ', terminal)) !== password)
      throw new OutpostError('E_CONFIG', 'The two passwords differ; nothing was changed.');
  }
  checkPasswordPolicy(password);
  return password;
}

function readPasswordFile(path: string): string {
  try {
    if (statSync(path).size > MAX_INPUT_BYTES)
      throw new OutpostError('E_WEAK_PASSWORD', `--password-file ${path}: larger than ${MAX_INPUT_BYTES} bytes; it should hold one line.`);
    return firstLine(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof OutpostError) throw err;
    throw new OutpostError('E_CONFIG', `--password-file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]!;
}

/** Reads up to the first line ending (or the end), then lets go of the stream. */
function readFirstLine(input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    const done = (err: Error | null) => {
      input.off('data', onData).off('end', onEnd).off('error', done);
      input.pause();
      if (err) return reject(err);
      const text = Buffer.concat(chunks).toString('utf8');
      if (text === '')
        return reject(
          new OutpostError('E_CONFIG', 'No password on standard input: pipe one line, use --password-file, or run in a terminal.'),
        );
      resolveLine(firstLine(text));
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      bytes += buf.length;
      if (buf.includes(0x0a)) return done(null);
      if (bytes > MAX_INPUT_BYTES)
        return done(new OutpostError('E_WEAK_PASSWORD', `The password on standard input is longer than ${PASSWORD_MAX_CHARS} characters.`));
    };
    const onEnd = () => done(null);
    input.on('data', onData).on('end', onEnd).on('error', done);
    input.resume();
  });
}

/** Reads one line at a terminal in raw mode, so nothing typed is echoed. */
export function promptHidden(prompt: string, terminal: PasswordTerminal): Promise<string> {
  const { input, output } = terminal;
  return new Promise((resolveLine, reject) => {
    let value = '';
    const finish = (err: Error | null) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (err) reject(err);
      else resolveLine(value);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n') return finish(null);
        if (ch === '\u0003' || (ch === '\u0004' && value === ''))
          return finish(new OutpostError('E_CONFIG', 'Cancelled; nothing was changed.'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ' && value.length < MAX_INPUT_BYTES) value += ch;
      }
    };
    input.setRawMode?.(true); // before the prompt shows: whatever is typed after it must not echo
    output.write(prompt);
    input.on('data', onData);
    input.resume();
  });
}

function processTerminal(): PasswordTerminal {
  return { input: process.stdin, output: process.stderr };
}
