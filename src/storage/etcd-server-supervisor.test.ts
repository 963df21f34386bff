// Identity parsing of the local etcd supervisor; the supervisor against real etcd members is in
// test/integration/etcd-member-identity.test.ts and test/integration/storage-etcd.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isOwnMember, parseAnsweringMember } from './etcd-server-supervisor.ts';

// `POST /v3/cluster/member/list` with `{}` as etcd 3.4.23 (Debian etcd-server) answers it.
const etcd34Body = {
  header: { cluster_id: '5298435163934787985', member_id: '8645782499530242234', raft_term: '2' },
  members: [
    { ID: '1234', name: 'other', peerURLs: ['http://127.0.0.1:23802'], clientURLs: ['http://127.0.0.1:23792'] },
    { ID: '8645782499530242234', name: 'probe-a', peerURLs: ['http://127.0.0.1:23801'], clientURLs: ['http://127.0.0.1:23791'] },
  ],
};

describe('parseAnsweringMember()', () => {
  it('behavior: picks the member named by header.member_id, keeping the uint64 id as its decimal string', () => {
    assert.deepEqual(parseAnsweringMember(etcd34Body), {
      id: '8645782499530242234',
      name: 'probe-a',
      peerUrls: ['http://127.0.0.1:23801'],
      clientUrls: ['http://127.0.0.1:23791'],
    });
  });

  it('behavior: an unstarted member (no name, no client URLs yet) parses with empty fields', () => {
    const body = { header: { member_id: '7' }, members: [{ ID: '7', peerURLs: ['http://10.0.0.1:2380'] }] };
    assert.deepEqual(parseAnsweringMember(body), { id: '7', name: '', peerUrls: ['http://10.0.0.1:2380'], clientUrls: [] });
  });

  it('error: undefined when the answering member is not in the list or ids are numbers (precision lost)', () => {
    assert.equal(parseAnsweringMember({ header: { member_id: '9' }, members: etcd34Body.members }), undefined);
    const lossy = Number('8645782499530242234');
    assert.equal(parseAnsweringMember({ header: { member_id: lossy }, members: [{ ID: lossy, name: 'x' }] }), undefined);
  });

  it('error: undefined for bodies that are not a member list', () => {
    for (const body of [null, 'x', 42, [], {}, { header: {} }, { header: { member_id: '' }, members: [] }, { members: [] }, { header: null, members: [] }, { header: { member_id: '1' }, members: 'x' }]) {
      assert.equal(parseAnsweringMember(body), undefined, JSON.stringify(body));
    }
  });

  it('behavior: non-string URLs and non-object members are skipped, not trusted', () => {
    const body = { header: { member_id: '1' }, members: [null, 'x', { ID: '1', name: 'a', peerURLs: ['http://h:1', 7, null], clientURLs: 'http://h:2' }] };
    assert.deepEqual(parseAnsweringMember(body), { id: '1', name: 'a', peerUrls: ['http://h:1'], clientUrls: [] });
  });
});

describe('isOwnMember()', () => {
  const member = { id: '1', name: 'storage-1', peerUrls: ['http://127.0.0.1:2380', 'http://10.0.0.5:2380'], clientUrls: [] };

  it('behavior: same name and one of its peer URLs is ours (compared after URL normalisation)', () => {
    assert.equal(isOwnMember(member, 'storage-1', 'http://127.0.0.1:2380'), true);
    assert.equal(isOwnMember(member, 'storage-1', 'http://10.0.0.5:2380/'), true);
    assert.equal(isOwnMember({ ...member, peerUrls: ['http://LOCALHOST:2380'] }, 'storage-1', 'http://localhost:2380'), true);
  });

  it('error: another name, or the same name with another peer URL, is not ours', () => {
    assert.equal(isOwnMember(member, 'default', 'http://127.0.0.1:2380'), false);
    assert.equal(isOwnMember(member, 'storage-1', 'http://127.0.0.1:2381'), false);
    assert.equal(isOwnMember({ ...member, name: '' }, 'storage-1', 'http://127.0.0.1:2380'), false);
    assert.equal(isOwnMember({ ...member, peerUrls: [] }, 'storage-1', 'http://127.0.0.1:2380'), false);
  });
});
