import type { RequestHandler } from 'msw';
import { type SetupServer, setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** A fake HTTP API for msw: its handler, the requests it recorded and the answers it is scripted to give next. */
export interface ScriptedApi {
  handler: RequestHandler;
  requests: unknown[];
  script: unknown[];
}

/**
 * Serves `api` (and any `extra` handlers) with msw for the whole test file, failing on any other request, and
 * forgets what the API recorded and was scripted to answer after each test.
 */
export function useScriptedApi(api: ScriptedApi, ...extra: RequestHandler[]): SetupServer {
  const server = setupServer(api.handler, ...extra);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    api.requests.length = 0;
    api.script.length = 0;
  });
  afterAll(() => server.close());
  return server;
}
