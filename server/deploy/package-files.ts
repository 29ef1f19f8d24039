// Installer files on disk, by content hash: <dataDir>/packages/<sha256>, owner-only. An upload is
// streamed to a temporary file while it is hashed and counted; past the size limit, or when the bytes
// do not have the hash the uploader named, it is refused and nothing is kept. A file is renamed into
// place only whole, so a reader never sees half of one.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { OutpostError } from '../../shared/errors.js';

export interface StoredFile {
  sha256: string;
  size: number;
}

export class PackageFiles {
  readonly dir: string;

  constructor(
    dataDir: string,
    private readonly maxBytes: number,
  ) {
    this.dir = join(dataDir, 'packages');
  }

  /**
   * Streams `body` into the store. Throws OutpostError E_PACKAGE_TOO_LARGE past the limit,
   * E_PACKAGE_HASH_MISMATCH when `expected` is given and differs, E_PACKAGE_EMPTY for no bytes.
   */
  async put(body: Readable, expected?: string): Promise<StoredFile> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.dir, `.upload-${randomBytes(8).toString('hex')}`);
    const hash = createHash('sha256');
    let size = 0;
    const max = this.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > max) return done(new OutpostError('E_PACKAGE_TOO_LARGE', `The file is larger than ${max} bytes; nothing was kept.`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(tmp, { mode: 0o600 }));
      const sha256 = hash.digest('hex');
      if (size === 0) throw new OutpostError('E_PACKAGE_EMPTY');
      if (expected !== undefined && expected !== sha256) {
        throw new OutpostError('E_PACKAGE_HASH_MISMATCH', `The file's sha256 is ${sha256}, not ${expected}; nothing was kept.`);
      }
      await rename(tmp, this.path(sha256));
      return { sha256, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** The stored file's bytes, or null when it is not on disk. */
  async open(sha256: string): Promise<{ stream: ReadStream; size: number } | null> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return null;
    const file = this.path(sha256);
    try {
      const { size } = await stat(file);
      return { stream: createReadStream(file), size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      () => true,
      () => false,
    );
  }

  path(sha256: string): string {
    return join(this.dir, sha256);
  }
}
