// The OpenAPI contract (src/http/openapi.json): operations, and response validation with ajv.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from './server.mjs';

export const OPENAPI_PATH = resolve(ROOT, 'src/http/openapi.json');
export const spec = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, 'openapi');

/** Every operation: {method (upper case), path, op, regex}. */
export const operations = [];
for (const [path, item] of Object.entries(spec.paths)) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    const src = path.split(/(\{[^}]+\})/).map((part) => {
      if (/^\{[^}]+\}$/.test(part)) return part === '{path}' ? '(.+)' : '([^/]+)';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    }).join('');
    operations.push({ method: m.toUpperCase(), path, op: item[m], regex: new RegExp('^' + src + '$') });
  }
}

/** The operation serving METHOD PATH (query string ignored), or undefined. */
export function findOperation(method, urlPath) {
  const p = urlPath.split('?')[0];
  const exact = operations.find((o) => o.method === method && o.path === p);
  return exact || operations.find((o) => o.method === method && o.regex.test(p));
}
export function pathExists(urlPath) {
  const p = urlPath.split('?')[0];
  return operations.some((o) => o.regex.test(p));
}

const cache = new Map();
function validatorFor(schema) {
  let key;
  if (schema && typeof schema.$ref === 'string' && schema.$ref.startsWith('#/')) key = 'openapi' + schema.$ref;
  else key = JSON.stringify(schema);
  if (!cache.has(key)) cache.set(key, key.startsWith('openapi#') ? ajv.getSchema(key) : ajv.compile(schema));
  return cache.get(key);
}
export function schemaValidator(name) { return validatorFor({ $ref: `#/components/schemas/${name}` }); }

function deref(obj) {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((o, k) => o?.[k], spec);
  }
  return obj;
}

/**
 * Check a response against the contract. Returns a list of problems (empty = fine).
 * res: {status, headers (lower-case keys), text, json}.
 */
export function checkResponse(method, urlPath, res) {
  const problems = [];
  const ctype = (res.headers['content-type'] || '').toLowerCase();
  const isJson = ctype.startsWith('application/json');
  const o = findOperation(method, urlPath);
  const where = `${method} ${urlPath} → ${res.status}`;
  const validate = (schema, value, what) => {
    const v = validatorFor(schema);
    if (!v(value)) problems.push(`${where}: body does not match ${what}: ${ajv.errorsText(v.errors, { separator: '; ' })}\n  body: ${res.text.slice(0, 500)}`);
  };
  if (res.status >= 400) {
    if (method === 'HEAD') return problems;
    if (!isJson) {
      problems.push(`${where}: error response is not application/json (content-type "${ctype}"): ${res.text.slice(0, 200)}`);
      return problems;
    }
    if (res.json === undefined) {
      problems.push(`${where}: error body is not JSON: ${res.text.slice(0, 200)}`);
      return problems;
    }
  }
  if (!o) {
    if (res.status >= 400) validate({ $ref: '#/components/schemas/Error' }, res.json, 'Error');
    return problems;
  }
  if (res.status >= 300 && res.status < 400) return problems;
  let r = o.op.responses[String(res.status)];
  if (!r) {
    if (res.status < 300) {
      problems.push(`${where}: status ${res.status} is not documented for ${o.method} ${o.path}`);
      return problems;
    }
    r = o.op.responses.default;
  }
  r = deref(r);
  if (res.status === 204) {
    if (res.text.length) problems.push(`${where}: 204 with a body`);
    return problems;
  }
  const content = r?.content;
  if (!content) return problems;
  if (content['application/json']) {
    if (!isJson) {
      problems.push(`${where}: expected application/json, got "${ctype}"`);
      return problems;
    }
    if (res.json === undefined) {
      problems.push(`${where}: body is not JSON: ${res.text.slice(0, 200)}`);
      return problems;
    }
    validate(content['application/json'].schema, res.json, `the ${res.status} schema of ${o.method} ${o.path}`);
  }
  return problems;
}
