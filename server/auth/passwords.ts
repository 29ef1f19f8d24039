// Admin passwords: scrypt with a random salt, stored as one self-describing string so that the cost
// can be raised later without breaking existing hashes:  $scrypt$ln=16,r=8,p=2$<salt>$<key>
// (salt and key in unpadded base64).
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { OutpostError } from '../../shared/errors.js';

export const PASSWORD_MIN_CHARS = 12;
/** scrypt's cost hardly depends on the length, but a bound keeps request and log sizes sane. */
export const PASSWORD_MAX_CHARS = 1024;

export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  ln: number;
  /** Block size. */
  r: number;
  /** Parallelisation: node computes the lanes one after another, so p multiplies the time, not the memory. */
  p: number;
}

/**
 * One of OWASP's equivalent scrypt settings (N=2^16, r=8, p=2): 64 MiB and about 0.5 s per hash on a
 * small 2-core server. We chose it over N=2^17, p=1 (same work) because it halves the memory: node runs
 * up to four hashes at once on its thread pool, so concurrent sign-ins peak at 256 MiB, not 512 MiB.
 * Sign-in attempts are rate-limited, so the cost is paid rarely.
 */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 16, r: 8, p: 2 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Hashes we will verify: anything larger in a stored string is refused rather than run (1 GiB). */
const MAX_LN = 20;
const MAX_R = 16;
const MAX_P = 16;

/** Throws E_WEAK_PASSWORD unless the password is 12 to 1024 characters (code points). */
export function checkPasswordPolicy(password: string): void {
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_CHARS || chars > PASSWORD_MAX_CHARS) {
    throw new OutpostError(
      'E_WEAK_PASSWORD',
      `The password must be ${PASSWORD_MIN_CHARS} to ${PASSWORD_MAX_CHARS} characters long (it has ${chars}).`,
    );
  }
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return formatHash(params, salt, key);
}

/**
 * Constant-time check of a password against a stored hash; false for a malformed or oversized hash.
 * A password over the policy's length is false too, after the same full hash (of nothing), so that
 * it takes as long as any wrong password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const tooLong = [...password].length > PASSWORD_MAX_CHARS;
  const key = await derive(tooLong ? '' : password, parsed.salt, parsed.params);
  return !tooLong && key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/**
 * A well-formed hash at the default cost that no password matches in practice (its key is all
 * zeros). Verifying against it when the username is unknown makes a miss cost the same as a
 * wrong password, so the answer time does not tell which usernames exist.
 */
export const DUMMY_HASH = formatHash(DEFAULT_SCRYPT, Buffer.alloc(SALT_BYTES), Buffer.alloc(KEY_BYTES));

function formatHash(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{16,128})$/.exec(stored);
  if (!m) return null;
  const params = { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (params.ln < 1 || params.ln > MAX_LN || params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return null;
  return { params, salt: Buffer.from(m[4]!, 'base64url'), key: Buffer.from(m[5]!, 'base64url') };
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // scrypt needs 128*N*r bytes; node's default maxmem (32 MiB) is below our default's 64 MiB.
    maxmem: 2 * 128 * N * params.r,
  };
  // NFC: the same typed password gives the same bytes whichever OS or keyboard composed it.
  const bytes = Buffer.from(password.normalize('NFC'), 'utf8');
  return new Promise((resolve, reject) => {
    scryptCb(bytes, salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}
