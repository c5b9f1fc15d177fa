/**
 * Electron main: one window, sandboxed renderer, strict CSP, no navigation, and an ipcMain handler per API method
 * that goes through the same validating `dispatch` as the HTTP server. Everything behind it is plain Node
 * (src/node): the database, the job host (jobs run in utility processes) and the services.
 */
import { app, BrowserWindow, ipcMain, session } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_METHODS, IPC_EVENT_CHANNEL, ipcChannel } from '../shared/api/index';
import { dispatchEnvelope } from '../node/services/dispatch';
import { eventForClient } from '../node/services/events';
import { CSP } from '../node/server/http';
import { startBackend, type Backend } from '../node/server/backend';
import { utilityProcessAdapter } from './utilityAdapter';

const here = dirname(fileURLToPath(import.meta.url));
let backend: Backend | null = null;
let win: BrowserWindow | null = null;

/** Only our own pages may call the API (a navigated-away or injected frame cannot). */
function trustedSender(url: string): boolean {
  const dev = process.env.ELECTRON_RENDERER_URL;
  return url.startsWith('file://') || (dev != null && url.startsWith(dev));
}

function registerIpc(b: Backend): void {
  for (const [domain, methods] of Object.entries(API_METHODS)) {
    for (const method of methods as string[]) {
      ipcMain.handle(ipcChannel(domain, method), async (event, arg: unknown) => {
        if (!trustedSender(event.senderFrame?.url ?? '')) {
          return { ok: false, error: { name: 'Forbidden', message: 'API calls are only accepted from the app window' } };
        }
        return dispatchEnvelope(b.api, domain, method, arg);
      });
    }
  }
  b.jobs.onEvent((ev) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, eventForClient(ev));
  });
}

function hardenSessions(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'SemID Workbench',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  w.once('ready-to-show', () => w.show());
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (dev) void w.loadURL(dev);
  else void w.loadFile(join(here, '../renderer/index.html'));
  return w;
}

app.whenReady().then(
  () => {
    hardenSessions();
    const dbPath = process.env.SEMID_DB ?? join(app.getPath('userData'), 'workbench.db');
    backend = startBackend({ dbPath, host: 'electron', adapter: utilityProcessAdapter(join(here, 'jobWorker.js')) });
    registerIpc(backend);
    win = createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) win = createWindow();
    });
  },
  (e: unknown) => {
    console.error(e);
    app.exit(1);
  },
);

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !backend) return;
  e.preventDefault();
  quitting = true;
  void backend.dispose().finally(() => app.quit());
});
