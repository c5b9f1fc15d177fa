import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../command';
import { serve } from '../../node/server/backend';

/** Waits for Ctrl-C / SIGTERM; resolves once. */
export const untilSignal = (): Promise<NodeJS.Signals> =>
  new Promise((ok) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      ok(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the workbench UI and API over HTTP + WebSocket (open the printed URL in a browser)',
  usage: 'semid serve [--port N] [--host ADDR] [--no-demo] [--json]',
  details: [
    'Binds 127.0.0.1 on a random port by default and prints http://127.0.0.1:PORT/?token=TOKEN. Every API call',
    'and the event socket need that token. Use --host 0.0.0.0 to serve a remote browser (e.g. from a GPU box);',
    'the token is always required. The UI comes from out/renderer (`npm run build:renderer`).',
    'On an empty database the seeded demo catalog is imported and embedded first, unless --no-demo.',
  ].join('\n'),
  options: {
    port: { type: 'string', description: 'port to listen on (default: random free port)', valueName: 'N' },
    host: { type: 'string', description: 'address to bind (default 127.0.0.1)', valueName: 'ADDR' },
    token: { type: 'string', description: 'use this session token instead of a random one', valueName: 'TOKEN' },
    'no-demo': { type: 'boolean', description: 'do not create the demo dataset on an empty database' },
    renderer: { type: 'string', description: 'folder of the built renderer (default out/renderer)', valueName: 'DIR' },
  },
  json: true,
  async run(args, ctx) {
    const portStr = args.values.port as string | undefined;
    const port = portStr == null ? 0 : Number(portStr);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected an integer 0-65535, got "${portStr}"`);
    const token = args.values.token as string | undefined;
    if (token != null && token.length < 16) throw new Error('--token: use at least 16 characters');
    const s = await serve({
      dbPath: ctx.dbPath,
      host: (args.values.host as string | undefined) ?? '127.0.0.1',
      port,
      token,
      rendererDir: args.values.renderer as string | undefined,
      demo: !args.values['no-demo'],
      log: ctx.err,
    });
    const built = existsSync(join(s.rendererDir, 'index.html'));
    if (ctx.json) ctx.out(JSON.stringify({ url: s.url, port: s.port, token: s.token, host: s.host, rendererBuilt: built, db: ctx.dbPath }));
    else {
      ctx.out(`SemID Workbench is serving ${ctx.dbPath}`);
      ctx.out(`Open ${s.url}`);
    }
    if (!built) ctx.err(`note: the UI is not built (${s.rendererDir}/index.html missing): run \`npm run build:renderer\`; the API works meanwhile.`);
    if (s.host !== '127.0.0.1' && s.host !== 'localhost') ctx.err(`warning: listening on ${s.host}: anyone who can reach this port and has the token can use the API.`);
    if (s.backend.demo) {
      ctx.err('empty database: importing and embedding the demo catalog…');
      s.backend.demo.done.then(
        (d) => ctx.err(`demo catalog ready (dataset ${d.datasetId})`),
        (e: unknown) => ctx.err(`demo catalog failed: ${(e as Error).message}`),
      );
    }
    const sig = await untilSignal();
    ctx.err(`${sig}: stopping…`);
    await s.close();
    return 0;
  },
};
