// Drives the real aws-amplify JS library (v6) for the e2e tests.
//
// A JSON-lines bridge: pytest writes one request per line to stdin and reads one
// result per line from stdout, so a test module drives a single Node process (one
// Amplify singleton) step by step, reads codes from the engine's outbox and checks
// tokens with boto3 in Python between steps.
//
//   request:  {"id": 1, "op": "configure", "outputs": "/path/amplify_outputs.json"}
//             {"id": 2, "op": "call", "api": "signUp", "input": {...}}
//             {"id": 3, "op": "tokens"}            the token store's raw contents
//             {"id": 4, "op": "config"}            Amplify.getConfig()
//   result:   {"id": 1, "ok": true, "result": ..., "wire": [...]}
//             {"id": 2, "ok": false, "error": {"name", "message", ...}, "wire": [...]}
//
// "wire" lists every HTTP exchange the call made (X-Amz-Target, status, bodies),
// so a failing test shows exactly what the library sent and what the engine answered.
//
// This file is copied next to a node_modules folder holding aws-amplify (see
// tests/e2e/_js.py); it is not run from the repository.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

import { Amplify } from 'aws-amplify';
import * as auth from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

// Protocol lines own stdout; the library's own logging goes to stderr.
const protocolOut = process.stdout;
console.log = console.error;
console.info = console.error;
console.warn = console.error;
console.debug = console.error;

// Every exchange with the service, recorded around the global fetch that aws-amplify uses.
let wire = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, init = {}) => {
  const headers = new Headers(init.headers ?? {});
  const exchange = {
    url: String(url),
    target: headers.get('x-amz-target'),
    request: parseJson(init.body),
  };
  wire.push(exchange);
  let response;
  try {
    response = await realFetch(url, init);
  } catch (error) {
    exchange.fetchError = String(error?.cause ?? error);
    throw error;
  }
  exchange.status = response.status;
  exchange.response = parseJson(await response.clone().text());
  return response;
};

function parseJson(text) {
  if (typeof text !== 'string') return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// A key-value storage the bridge can read, so tests can reach the refresh token
// (Node has no localStorage; the library's own fallback is also in memory).
const tokenStore = new Map();
const keyValueStorage = {
  async setItem(key, value) { tokenStore.set(key, value); },
  async getItem(key) { return tokenStore.has(key) ? tokenStore.get(key) : null; },
  async removeItem(key) { tokenStore.delete(key); },
  async clear() { tokenStore.clear(); },
};

function configure(outputsPath) {
  const outputs = JSON.parse(readFileSync(outputsPath, 'utf8'));
  Amplify.configure(outputs);
  // amplify_outputs.json has no field for a custom endpoint; the library takes it in
  // its resources config, so the local engine's endpoints are added after parsing.
  const local = outputs.custom?.local_engine;
  if (local) {
    const config = Amplify.getConfig();
    Amplify.configure({
      ...config,
      Auth: {
        ...config.Auth,
        Cognito: {
          ...config.Auth.Cognito,
          userPoolEndpoint: local.user_pool_endpoint,
          identityPoolEndpoint: local.identity_pool_endpoint,
        },
      },
    });
  }
  cognitoUserPoolsTokenProvider.setKeyValueStorage(keyValueStorage);
  return Amplify.getConfig();
}

// Plain JSON for results: JWTs become {payload, jwt}, dates ISO strings, functions dropped.
function plain(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'function') return undefined;
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return value.href;
  if (Array.isArray(value)) return value.map(plain);
  if ('payload' in value && typeof value.toString === 'function'
      && value.toString !== Object.prototype.toString) {
    return { payload: plain(value.payload), jwt: value.toString() };
  }
  const out = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'function') out[key] = plain(item);
  }
  return out;
}

function plainError(error) {
  const out = {
    name: error?.name ?? null,
    message: error?.message ?? String(error),
    recoverySuggestion: error?.recoverySuggestion ?? null,
  };
  if (error?.underlyingError) {
    out.underlyingError = { name: error.underlyingError.name, message: error.underlyingError.message };
  }
  if (!(error instanceof auth.AuthError)) out.stack = error?.stack ?? null;
  return out;
}

async function call(api, input) {
  const fn = auth[api];
  if (typeof fn !== 'function') throw new Error(`aws-amplify/auth has no function ${api}`);
  const result = input === null || input === undefined ? await fn() : await fn(input);
  const out = plain(result);
  if (api === 'setUpTOTP') {
    out.setupUri = result.getSetupUri('amplify-py-e2e').href;
  }
  return out;
}

async function handle(request) {
  switch (request.op) {
    case 'configure': return plain(configure(request.outputs));
    case 'call': return call(request.api, request.input);
    case 'tokens': return Object.fromEntries(tokenStore);
    case 'config': return plain(Amplify.getConfig());
    default: throw new Error(`unknown op ${request.op}`);
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (error) {
    protocolOut.write(JSON.stringify({ id: null, ok: false, error: plainError(error), wire: [] }) + '\n');
    continue;
  }
  wire = [];
  let reply;
  try {
    reply = { id: request.id, ok: true, result: await handle(request) };
  } catch (error) {
    reply = { id: request.id, ok: false, error: plainError(error) };
  }
  reply.wire = wire;
  protocolOut.write(JSON.stringify(reply) + '\n');
}
// stdin closed: the tests are done. Exit now; aws-amplify keeps timers (auto sign-in, Hub) alive.
process.exit(0);
