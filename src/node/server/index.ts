export { serve, startBackend, type Backend, type ServeOptions, type Serving } from './backend';
export { startHttpServer, CSP, SECURITY_HEADERS, newToken, type RunningServer } from './http';
export { defaultRendererDir, packageRoot } from './paths';
