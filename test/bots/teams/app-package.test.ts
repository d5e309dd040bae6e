import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appPackage, fillManifest } from '../../../src/bots/teams/app-package.js';

const TEAMS_DIR = new URL('../../../teams/', import.meta.url);
const config = {
  teams: { appId: '11111111-2222-3333-4444-555555555555', appType: 'SingleTenant' as const },
  publicBaseUrl: 'https://checkins.district.example',
};

// The parts of the Teams manifest schema (v1.17) a bot package must get right; Teams rejects the upload otherwise.
const Guid = z.string().regex(/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i);
const Https = z.string().regex(/^https:\/\/\S+$/);
const Manifest = z.object({
  manifestVersion: z.literal('1.17'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  id: Guid,
  developer: z.object({
    name: z.string().max(32),
    websiteUrl: Https,
    privacyUrl: Https,
    termsOfUseUrl: Https,
  }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100) }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.literal('color.png'), outline: z.literal('outline.png') }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  bots: z
    .array(
      z.object({
        botId: Guid,
        scopes: z.array(z.enum(['personal', 'team', 'groupChat'])).min(1),
        commandLists: z
          .array(
            z.object({
              commands: z
                .array(z.object({ title: z.string().max(32), description: z.string().max(128) }))
                .max(10),
            }),
          )
          .optional(),
      }),
    )
    .length(1),
});

function pngSize(data: Buffer): { width: number; height: number } {
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('the Teams app package', () => {
  it('fills the bot id and addresses into the manifest, which then meets the schema', () => {
    const manifest = JSON.parse(
      fillManifest(readFileSync(new URL('manifest.json', TEAMS_DIR), 'utf8'), config),
    );
    expect(Manifest.parse(manifest).bots[0]?.botId).toBe(config.teams.appId);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('refuses to build without the app id or an https address', () => {
    expect(() => fillManifest('{}', { publicBaseUrl: config.publicBaseUrl })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => fillManifest('{}', { teams: config.teams, publicBaseUrl: 'http://x' })).toThrow(/https/);
  });

  it('zips the manifest and the two icons (192 px colour, 32 px outline), each intact', () => {
    const files = unzip(appPackage(TEAMS_DIR, config));
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(JSON.parse(files.get('manifest.json')!.toString('utf8')).id).toBe(config.teams.appId);
    expect(pngSize(files.get('color.png')!)).toEqual({ width: 192, height: 192 });
    expect(pngSize(files.get('outline.png')!)).toEqual({ width: 32, height: 32 });
    expect(files.get('color.png')).toEqual(readFileSync(new URL('color.png', TEAMS_DIR)));
  });
});

/** Reads a zip back through its central directory, as Teams does. */
function unzip(archive: Buffer): Map<string, Buffer> {
  const end = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = archive.readUInt16LE(end + 10);
  let at = archive.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(archive.readUInt32LE(at)).toBe(0x02014b50);
    const size = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const start = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    files.set(name, inflateRawSync(archive.subarray(start, start + size)));
    at += 46 + nameLength;
  }
  return files;
}
