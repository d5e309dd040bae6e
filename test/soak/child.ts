import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** A fixture process under test: its first stdout line (what it announced once ready) and its exit. */
export interface Child {
  child: ChildProcess;
  ready: string;
  exited: Promise<unknown>;
}

/** Starts `test/soak/fixtures/<name>.ts` with only `env` (and PATH); resolves once it prints its first line. */
export function startChild(name: string, env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(`test/soak/fixtures/${name}.ts`)], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  return new Promise((ok, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) ok({ child, ready: line!, exited });
    });
    void exited.then((code) => fail(new Error(`${name} exited early with ${code}`)));
  });
}

/** SIGKILL, and wait until the process is gone (its database connection with it). */
export async function kill(c: Child): Promise<void> {
  c.child.kill('SIGKILL');
  await c.exited;
}
