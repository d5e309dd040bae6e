import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateRawSync } from 'node:zlib';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { appPackage, fillManifest } from '../../../src/bots/teams/app-package.js';

const TEAMS_DIR = new URL('../../../teams/', import.meta.url);
const config = {
  teams: { appId: '11111111-2222-3333-4444-555555555555', appType: 'SingleTenant' as const },
  publicBaseUrl: 'https://checkins.district.example',
};

type Manifest = { $schema: string; manifestVersion: string } & Record<string, unknown>;

/**
 * Microsoft's manifest schema for the version a manifest declares, as `@microsoft/app-manifest` (Microsoft's app
 * tooling) ships it: a rule Teams enforces at upload fails here first.
 */
function officialSchema(manifestVersion: string): object {
  const file = createRequire(import.meta.url).resolve(
    `@microsoft/app-manifest/build/json-schemas/teams/v${manifestVersion}/MicrosoftTeams.schema.json`,
  );
  return JSON.parse(readFileSync(file, 'utf8'));
}

// The schemas are draft-04 and leave `type` implicit beside `additionalProperties`, as Microsoft's validator allows.
const ajv = new AjvDraft04.default({ allErrors: true, strictTypes: false });
addFormats.default(ajv);
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

/** Every way a manifest breaks its declared version's schema, one line each (ajv's own words); empty when valid. */
function schemaErrors(manifest: Manifest): string[] {
  let validate = validators.get(manifest.manifestVersion);
  if (!validate) {
    validate = ajv.compile(officialSchema(manifest.manifestVersion));
    validators.set(manifest.manifestVersion, validate);
  }
  if (validate(manifest)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

function builtManifest(): Manifest {
  const files = unzip(appPackage(TEAMS_DIR, config));
  return JSON.parse(files.get('manifest.json')!.toString('utf8'));
}

function pngSize(data: Buffer): { width: number; height: number } {
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('the Teams app package', () => {
  it("holds a manifest with the bot id and addresses filled in that meets Microsoft's schema for its version", () => {
    const manifest = builtManifest();
    expect(schemaErrors(manifest)).toEqual([]);
    expect(manifest.$schema).toContain(`/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(manifest.id).toBe(config.teams.appId);
    expect((manifest.bots as { botId: string }[])[0]?.botId).toBe(config.teams.appId);
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('would catch a manifest Teams refuses: placeholders left, a name too long, a field Teams does not know', () => {
    const template: Manifest = JSON.parse(readFileSync(new URL('manifest.json', TEAMS_DIR), 'utf8'));
    expect(schemaErrors(template).join('\n')).toMatch(/^\/id must match pattern/m);

    const broken = builtManifest();
    broken.name = { short: 'Success Planning weekly check-ins', full: 'x' };
    broken.botName = 'Check-ins';
    const errors = schemaErrors(broken);
    expect(errors.some((e) => e.startsWith('/name/short must NOT have more than 30 characters'))).toBe(true);
    expect(
      errors.some((e) => e.includes('must NOT have additional properties') && e.includes('botName')),
    ).toBe(true);
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
