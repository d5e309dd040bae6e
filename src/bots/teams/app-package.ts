import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import type { Config } from '../../config.js';

/** The files an admin uploads to Teams, as shipped in `teams/`: the manifest template and two icons. */
export const APP_PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;

/**
 * The manifest with this district's values: the bot's app id (the Azure Bot registration's
 * MICROSOFT_APP_ID) and the public address the developer links point at. Throws when either is missing,
 * since Teams refuses a package with placeholders left in it.
 */
export function fillManifest(template: string, config: Pick<Config, 'teams' | 'publicBaseUrl'>): string {
  if (!config.teams) throw new Error('MICROSOFT_APP_ID is not set: the manifest names the bot by it.');
  if (!config.publicBaseUrl?.startsWith('https://'))
    throw new Error('PUBLIC_BASE_URL must be the https address of this service: the manifest links to it.');
  return template
    .replaceAll('{{MICROSOFT_APP_ID}}', config.teams.appId)
    .replaceAll('{{PUBLIC_BASE_URL}}', config.publicBaseUrl);
}

/** 1980-01-01, the earliest date a zip can carry: a fixed date keeps the package the same from build to build. */
const DOS_DATE = (1 << 5) | 1;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive (deflate, no folders) of the given files: the format Teams takes for an app package. Written
 * here rather than pulled in as a dependency: three small files need only the local and central headers.
 */
export function zip(files: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const packed = deflateRawSync(file.data);
    const crc = crc32(file.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The app package for this district, from the files in `dir` (the repository's `teams/`). */
export function appPackage(dir: URL, config: Pick<Config, 'teams' | 'publicBaseUrl'>): Buffer {
  return zip(
    APP_PACKAGE_FILES.map((name) => {
      const data = readFileSync(new URL(name, dir));
      return {
        name,
        data: name === 'manifest.json' ? Buffer.from(fillManifest(data.toString('utf8'), config)) : data,
      };
    }),
  );
}
