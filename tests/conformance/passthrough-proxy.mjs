#!/usr/bin/env node
// A deliberately dumb HTTP pass-through proxy with the same command line as the guard:
//
//   node passthrough-proxy.mjs run --upstream URL --listen URL --admin URL [--policy DIR]
//
// It exists only to test run.sh itself while the real guard is not buildable, e.g.
//   GUARD_CMD='{NODE} tests/conformance/passthrough-proxy.mjs run --upstream {UPSTREAM} --listen {LISTEN} --admin {ADMIN}' tests/conformance/run.sh
// It forwards every method and path to the upstream, streams both bodies (SSE included)
// without buffering, and rewrites Host to the upstream's, as YARP does by default.
// The admin listener answers GET /healthz with 200. --policy is accepted and ignored.
// PASSTHROUGH_BREAK (see below) makes it misbehave on purpose, to check that run.sh
// notices when a proxy is not transparent.
import http from 'node:http';

function parseArgs(argv) {
  const args = argv.slice(2);
  if (args[0] === 'run') args.shift();
  const opts = {};
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const key = a.slice(2);
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`missing value for ${a}`);
    opts[key] = value;
    i += 1;
  }
  for (const required of ['upstream', 'listen']) {
    if (!opts[required]) throw new Error(`--${required} is required`);
  }
  return opts;
}

// Test-only misbehaviour, set with the environment variable PASSTHROUGH_BREAK:
//   drop-sse      answer every GET (the standalone SSE stream) with 405
//   sse-as-json   refuse to relay text/event-stream responses (502)
//   block-ping    answer JSON-RPC "ping" requests with a JSON-RPC error
//   flaky-ping    the same for every other ping only (1st, 3rd, ...)
const BREAK = new Set((process.env.PASSTHROUGH_BREAK ?? '').split(',').filter(Boolean));

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

function copyHeaders(raw) {
  const out = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

const opts = parseArgs(process.argv);
const upstream = new URL(opts.upstream);
const listen = new URL(opts.listen);

function forward(req, res, body) {
  const target = new URL(req.url, upstream);
  const headers = copyHeaders(req.headers);
  headers.host = upstream.host;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-host'] = req.headers.host ?? '';
  if (body !== undefined) headers['content-length'] = String(body.length);

  const upstreamReq = http.request(target, { method: req.method, headers }, (upstreamRes) => {
    const type = String(upstreamRes.headers['content-type'] ?? '');
    if (BREAK.has('sse-as-json') && type.startsWith('text/event-stream')) {
      upstreamRes.resume();
      res.writeHead(502, { 'content-type': 'text/plain' }).end('SSE relaying disabled\n');
      return;
    }
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, copyHeaders(upstreamRes.headers));
    res.flushHeaders();
    upstreamRes.pipe(res);
    upstreamRes.on('error', () => res.destroy());
  });
  upstreamReq.on('error', (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream error: ${err.message}\n`);
    } else {
      res.destroy();
    }
  });
  // A client that goes away (e.g. closes its SSE stream) must not leave the upstream open.
  res.on('close', () => {
    if (!res.writableFinished) upstreamReq.destroy();
  });
  if (body !== undefined) upstreamReq.end(body);
  else req.pipe(upstreamReq);
}

let pings = 0;
const proxy = http.createServer((req, res) => {
  if (BREAK.has('drop-sse') && req.method === 'GET') {
    res.writeHead(405, { allow: 'POST, DELETE' }).end();
    return;
  }
  if ((BREAK.has('block-ping') || BREAK.has('flaky-ping')) && req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let message;
      try { message = JSON.parse(body.toString('utf8')); } catch { message = undefined; }
      if (message && message.method === 'ping' && (BREAK.has('block-ping') || pings++ % 2 === 0)) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, error: { code: -32001, message: 'blocked by test proxy' } }));
        return;
      }
      forward(req, res, body);
    });
    return;
  }
  forward(req, res);
});
proxy.requestTimeout = 0; // SSE streams stay open as long as the client wants
proxy.listen(Number(listen.port), listen.hostname, () => {
  console.error(`passthrough-proxy: ${opts.listen} -> ${opts.upstream}`);
});

if (opts.admin) {
  const admin = new URL(opts.admin);
  http.createServer((req, res) => {
    if (req.url === '/healthz') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else res.writeHead(404).end();
  }).listen(Number(admin.port), admin.hostname);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
