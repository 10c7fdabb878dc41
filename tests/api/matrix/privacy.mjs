// Matrix cases for account deletion (docs/privacy.md). DELETE /api/me is sent with a wrong password,
// so the demo accounts survive: an allowed caller gets 422 (wrong confirmation) or, for the
// administrator, 409 (an administrator's own account) — never 401/403.
import assert from 'node:assert/strict';
import { uniq } from '../lib/demo.mjs';

export default (ctx) => {
  const victim = {};
  return {
    'DELETE /api/me': {
      call: () => ({ path: '/api/me', opts: { json: { password: 'not-the-password' } } }),
      ok: (s) => s === 422 || s === 409,
    },
    'DELETE /api/users/{id}': {
      call: async (who) => {
        const login = uniq('mdel').replace(/-/g, '_');
        const r = await ctx.demo.fresh().post('/api/auth/register', { login, password: 'matrix-password-1', name: 'Удаляемый' }, { store: false });
        assert.equal(r.status, 201, r.text);
        victim[who] = r.json.user.id;
        return { path: `/api/users/${victim[who]}` };
      },
      noEffect: async (who) => {
        const r = await (await ctx.demo.as('admin')).get(`/api/users/${victim[who]}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(!r.json.user.login.startsWith('deleted:'), `a refused delete by ${who} deleted user ${victim[who]}`);
      },
    },
  };
};
