import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/**
 * A minimal ustar writer and reader (regular files only, names ≤ 100 bytes): the backup is one plain tar that
 * `tar tf` lists, written with node's own streams.
 */
const BLOCK = 512;

export interface TarInput {
  /** Name inside the archive. */
  name: string;
  /** File on disk whose content becomes the entry. */
  file: string;
}

export interface TarEntry {
  name: string;
  size: number;
  /** Offset of the entry's data in the archive. */
  offset: number;
}

function header(name: string, size: number, mtime: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name longer than 100 bytes: ${name}`);
  buf.write(name, 0, 100, 'utf8');
  const octal = (value: number, offset: number, length: number) =>
    buf.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
  octal(0o600, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(mtime / 1000), 136, 12);
  buf.write('        ', 148, 8, 'ascii');
  buf.write('0', 156, 1, 'ascii');
  buf.write('ustar\0', 257, 6, 'ascii');
  buf.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return buf;
}

/** Writes the entries in order; `onBytes` is told how many data bytes were written so far. */
export async function writeTar(out: string, inputs: readonly TarInput[], onBytes?: (bytes: number) => void) {
  const handle = await fs.open(out, 'wx', 0o600);
  let written = 0;
  try {
    for (const input of inputs) {
      const { size, mtimeMs } = await fs.stat(input.file);
      await handle.write(header(input.name, size, mtimeMs));
      const stream = createWriteStream('', { fd: handle.fd, autoClose: false });
      await pipeline(
        createReadStream(input.file),
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            written += chunk.length;
            onBytes?.(written);
            done(null, chunk);
          },
        }),
        stream,
      );
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad > 0) await handle.write(Buffer.alloc(pad));
    }
    await handle.write(Buffer.alloc(BLOCK * 2));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class TarFormatError extends Error {}

/** Lists the entries of a tar written by writeTar (or any ustar of regular files). */
export async function listTar(file: string): Promise<TarEntry[]> {
  const handle = await fs.open(file, 'r');
  const entries: TarEntry[] = [];
  try {
    const { size: total } = await handle.stat();
    const buf = Buffer.alloc(BLOCK);
    let offset = 0;
    for (;;) {
      if (offset + BLOCK > total) throw new TarFormatError('the archive ends in the middle of an entry header');
      await handle.read(buf, 0, BLOCK, offset);
      if (buf.every((b) => b === 0)) break;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : buf[i];
      const recorded = Number.parseInt(buf.toString('ascii', 148, 156).replace(/\0.*$/s, '').trim(), 8);
      if (recorded !== sum) throw new TarFormatError(`corrupt tar header at byte ${offset}`);
      const name = buf.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const size = Number.parseInt(buf.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim(), 8);
      const type = buf.toString('ascii', 156, 157);
      if (type !== '0' && type !== '\0') throw new TarFormatError(`unexpected tar entry type ${JSON.stringify(type)}`);
      if (offset + BLOCK + size > total) throw new TarFormatError(`entry ${name} is cut short`);
      entries.push({ name, size, offset: offset + BLOCK });
      offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
  } finally {
    await handle.close();
  }
  return entries;
}

/** Copies one entry's data to `dest` (or nowhere) and answers its SHA-256. */
export async function extractEntry(archive: string, entry: TarEntry, dest?: string): Promise<string> {
  const hash = createHash('sha256');
  if (entry.size === 0) {
    if (dest) await fs.writeFile(dest, '', { mode: 0o600 });
    return hash.digest('hex');
  }
  const source = createReadStream(archive, { start: entry.offset, end: entry.offset + entry.size - 1 });
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  if (dest) await pipeline(source, hasher, createWriteStream(dest, { mode: 0o600 }));
  else
    await pipeline(source, hasher, async (src: AsyncIterable<Buffer>) => {
      for await (const _ of src) void _;
    });
  return hash.digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) hash.update(chunk);
  });
  return hash.digest('hex');
}
