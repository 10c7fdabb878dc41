// The demo data of docs/cli.md: accounts, logins (one session per account, reused), ids by code.
import assert from 'node:assert/strict';
import { Client } from './client.mjs';

export const DEMO_PASSWORD = 'otklik-demo';
/** Demo account → its roles as docs/cli.md lists them (role, scope code). */
export const DEMO_ACCOUNTS = {
  admin: [['admin', null]],
  citizen: [],
  citizen2: [],
  operator: [['operator', 'klu-kaluga-adm']],
  executor: [['executor', 'klu-minstroy']],
  executor2: [['executor', 'klu-minzdrav']],
  supervisor: [['supervisor', 'klu-gov']],
  coordinator: [['coordinator', 'RU-KLU']],
  coordinator2: [['coordinator', 'klu-obninsk']],
  organiser: [['organiser', 'klu-kaluga-adm']],
  moderator: [['moderator', 'klu-kaluga-adm']],
  volunteer: [['volunteer', 'klu-kaluga']],
};
export const DEMO_LOGINS = Object.keys(DEMO_ACCOUNTS);

const COLLS = new Set(['territories', 'orgs', 'categories', 'topics', 'rules']);

/** Per-server helper: cached logged-in clients and id lookups. */
export class Demo {
  constructor(base) {
    this.base = base;
    this.clients = new Map();
    this.ids = new Map();
    this._anon = null;
  }

  /** A client without credentials. */
  anon() { return (this._anon ??= new Client(this.base, { name: 'anonymous' })); }

  /** A fresh, unauthenticated client (own loopback address). */
  fresh(name = 'anonymous') { return new Client(this.base, { name }); }

  /** The logged-in client of a demo account (logged in once, then reused). */
  async as(login) {
    if (!this.clients.has(login)) {
      const c = new Client(this.base, { name: login });
      this.clients.set(login, c.login(login, DEMO_PASSWORD).then(() => c));
    }
    return this.clients.get(login);
  }

  /** A second, independent session of a demo account. */
  async newSession(login) {
    const c = new Client(this.base, { name: login });
    await c.login(login, DEMO_PASSWORD);
    return c;
  }

  /** Id of a registry object by code: GET /api/<coll>?code=… → items[0].id. */
  async id(coll, code) {
    assert.ok(COLLS.has(coll), coll);
    const key = `${coll}:${code}`;
    if (!this.ids.has(key)) {
      const r = await this.anon().get(`/api/${coll}?code=${encodeURIComponent(code)}`);
      assert.equal(r.status, 200, `lookup ${key}: ${r.status} ${r.text}`);
      assert.equal(r.json.items.length, 1, `exactly one ${coll} with code ${code}: ${r.text.slice(0, 300)}`);
      this.ids.set(key, r.json.items[0].id);
    }
    return this.ids.get(key);
  }

  /** The object itself. */
  async get(coll, code) {
    const r = await this.anon().get(`/api/${coll}/${await this.id(coll, code)}`);
    assert.equal(r.status, 200, r.text);
    return r.json;
  }

  /** Id of a demo user by login (admin lookup). */
  async userId(login) {
    const key = `user:${login}`;
    if (!this.ids.has(key)) {
      const admin = await this.as('admin');
      const r = await admin.get(`/api/users?q=${encodeURIComponent(login)}&limit=500`);
      assert.equal(r.status, 200, r.text);
      const u = r.json.items.find((x) => x.login === login);
      assert.ok(u, `user ${login} in ${r.text.slice(0, 300)}`);
      this.ids.set(key, u.id);
    }
    return this.ids.get(key);
  }
}

let seq = 0;
/** A unique code for throwaway objects. */
export function uniq(prefix = 't') { return `${prefix}-${process.pid}-${Date.now().toString(36)}-${++seq}`; }
