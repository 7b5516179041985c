import test from 'ava';
import { resolveUser, type UserRequest } from './user.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1001::/home/app:/bin/sh\n';
const group = 'root:x:0:\nstaff:x:50:app\napps:x:1001:\nnogroup:x:65534:\n';

function newUserRequest(overrides: Partial<UserRequest> = {}): UserRequest {
  return { passwd, group, ...overrides };
}

const cases = [
  { name: 'default is root', req: {}, want: { uid: 0, gid: 0, additionalGids: [] } },
  { name: 'numeric image user takes gid from passwd', req: { imageUser: '1000' }, want: { uid: 1000, gid: 1001, additionalGids: [50] } },
  { name: 'unknown numeric user gets gid 0', req: { imageUser: '4242' }, want: { uid: 4242, gid: 0, additionalGids: [] } },
  { name: 'uid:gid', req: { imageUser: '1000:65534' }, want: { uid: 1000, gid: 65534, additionalGids: [50] } },
  { name: 'name:group', req: { imageUser: 'nobody:staff' }, want: { uid: 65534, gid: 50, additionalGids: [] } },
  { name: 'runAsUser overrides the image', req: { imageUser: 'app', runAsUser: 65534 }, want: { uid: 65534, gid: 65534, additionalGids: [] } },
  { name: 'runAsGroup and supplemental groups', req: { runAsUser: 5, runAsGroup: 6, supplementalGroups: [7, 6] }, want: { uid: 5, gid: 6, additionalGids: [7] } },
];
for (const c of cases) {
  test(`resolveUser: ${c.name}`, (t) => {
    t.deepEqual(resolveUser(newUserRequest(c.req)), c.want);
  });
}

test('resolveUser: unknown names are errors', (t) => {
  t.throws(() => resolveUser(newUserRequest({ imageUser: 'ghost' })), { message: /unable to find user ghost/ });
  t.throws(() => resolveUser(newUserRequest({ imageUser: 'app:ghosts' })), { message: /unable to find group ghosts/ });
});
