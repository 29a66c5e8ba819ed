// An HTTP service over the engine, with nothing but node:http: the shape of the platform's API
// gateway endpoints. Every call runs on the libuv thread pool (the `...Async` variants), so one
// large blueprint does not stall the other requests; every DharmaError becomes a 400 (a 500 for
// kind `internal`) whose body is the located error.
//
//   node examples/service.mjs [port]        then e.g.
//   curl -s localhost:8080/api/blueprints/estimate -d '{"blueprint": {...}, "options": {"budget": "500"}}'
//
// POST /api/blueprints/check     {blueprint}                    -> {name, provider, resources, warnings}
// POST /api/blueprints/generate  {blueprint, format, options?}  -> {files: {path: text}}
// POST /api/blueprints/estimate  {blueprint, options?}          -> CostEstimate
// POST /api/blueprints/cost-diff {blueprint, other, options?}   -> CostDiff
// POST /api/blueprints/graph     {blueprint, format?}           -> GraphJson, or {text} for dot/mermaid
// POST /api/blueprints/plan      {blueprint, other}             -> Plan (blueprint: the old side)
// POST /api/blueprints/drift     {blueprint, state}             -> DriftReport
//
// `blueprint` (and `other`) is a blueprint document, or its JSON/YAML text.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Blueprint, DharmaError } from '@iac-dharma/node';

const MAX_BODY = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function load(blueprint) {
  if (typeof blueprint === 'string') return Blueprint.fromTextAsync(blueprint);
  if (blueprint !== null && typeof blueprint === 'object' && !Array.isArray(blueprint)) return Blueprint.fromObject(blueprint);
  throw new HttpError(400, '`blueprint` must be a blueprint document or its JSON/YAML text');
}

const routes = {
  async check({ blueprint }) {
    const bp = await load(blueprint);
    return { name: bp.name, provider: bp.provider, region: bp.region, resources: bp.resources, warnings: bp.warnings };
  },
  async generate({ blueprint, format, options }) {
    return { files: await (await load(blueprint)).generateAsync(format, options) };
  },
  async estimate({ blueprint, options }) {
    return (await load(blueprint)).estimateAsync(options);
  },
  async 'cost-diff'({ blueprint, other, options }) {
    return (await load(blueprint)).costDiffAsync(other, options);
  },
  async plan({ blueprint, other }) {
    return (await load(blueprint)).planDiffAsync(other);
  },
  async drift({ blueprint, state }) {
    return (await load(blueprint)).driftAsync(state);
  },
  async graph({ blueprint, format }) {
    const g = (await load(blueprint)).graph(format);
    return typeof g === 'string' ? { text: g } : g;
  },
};

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body;
  } catch (e) {
    throw new HttpError(400, `the body must be a JSON object: ${e.message}`);
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request handler (usable with `http.createServer`, or mounted in another server). */
export async function handle(req, res) {
  try {
    const url = new URL(req.url, 'http://localhost');
    const match = /^\/api\/blueprints\/([a-z-]+)$/.exec(url.pathname);
    const route = match && Object.hasOwn(routes, match[1]) ? routes[match[1]] : null;
    if (!route) throw new HttpError(404, `no such endpoint: ${url.pathname}`);
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    send(res, 200, await route(await readJson(req)));
  } catch (e) {
    if (e instanceof DharmaError) send(res, e.kind === 'internal' ? 500 : 400, { error: e });
    else if (e instanceof HttpError) send(res, e.status, { error: { message: e.message } });
    else send(res, 500, { error: { message: 'internal error' } });
  }
}

/** Starts the service on `port` (0: any free port) on the loopback interface; resolves to the server. */
export function start(port = 8080, host = '127.0.0.1') {
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const server = await start(Number(process.argv[2] ?? 8080));
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}/api/blueprints/{check,generate,estimate,cost-diff,graph,plan,drift}`);
}
