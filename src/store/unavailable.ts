/**
 * The database could not be opened. The message is one line for the person starting the service: what is
 * wrong with which file or server, and what to do (the setting is DATABASE_URL).
 */
export class DatabaseUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailable';
  }
}

/** Where a URL points, without its password: for logs and errors. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the configured server';
  }
}
