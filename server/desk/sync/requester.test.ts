import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeskError } from '../errors.js';
import { FakeDesk } from '../../../test/fakes/desk-connector.js';
import { loginName, resolveRequester } from './requester.js';

describe('desk requester resolution', () => {
  const desk = () => {
    const d = new FakeDesk();
    d.users.set('jo', { id: 'u-jo', email: '', login: 'jo' });
    d.users.set('outpost', { id: 'u-api', email: 'api@example.com', login: 'outpost' });
    return d;
  };

  it('reads the login name from local, domain and UPN account forms', () => {
    assert.deepEqual(['jo', 'CORP\\jo', 'corp/jo', 'jo@corp.local', '  ', 'a b'].map(loginName), ['jo', 'jo', 'jo', 'jo', null, null]);
  });

  it('tries the email, then the desk user by login name, then account@domain, then the fallback requester', async () => {
    const d = desk();
    const s = { requesterDomain: 'example.com', deskUser: 'outpost' };
    const email = await resolveRequester(d, { account: 'jo', email: 'jo@corp.example' }, s);
    assert.deepEqual(
      [email.record, email.fields],
      [{ rule: 'email', requester: 'jo@corp.example' }, { requesterEmail: 'jo@corp.example' }],
    );
    const login = await resolveRequester(d, { account: 'jo', domain: 'CORP' }, s);
    assert.deepEqual([login.record, login.fields.requesterUser?.id], [{ rule: 'login', requester: 'jo' }, 'u-jo']);
    const domain = await resolveRequester(d, { account: 'Kim.Lee' }, s);
    assert.deepEqual(domain.record, { rule: 'domain', requester: 'kim.lee@example.com' });
    const fallback = await resolveRequester(d, { account: 'kim' }, { deskUser: 'outpost' });
    assert.deepEqual([fallback.record, fallback.fields.requesterUser?.id], [{ rule: 'fallback', requester: 'outpost' }, 'u-api']);
    const configured = await resolveRequester(d, { account: 'kim' }, { deskUser: 'outpost', fallbackRequester: 'helpdesk@example.com' });
    assert.deepEqual(configured.record, { rule: 'fallback', requester: 'helpdesk@example.com' });
  });

  it('refuses only a fallback the desk does not know, naming the setting', async () => {
    await assert.rejects(
      resolveRequester(desk(), { account: 'kim' }, { fallbackRequester: 'ghost' }),
      (e) => isDeskError(e) && e.code === 'E_DESK_REJECTED' && !e.retryable && /deskFallbackRequester/.test(e.message),
    );
  });
});
