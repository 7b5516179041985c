import test from 'ava';
import { bindLibc, errnoName, lastErrno, strerror } from './libc.js';

test('bindLibc binds on first use, once; errno helpers describe a failure', (t) => {
  let calls = 0;
  const get = bindLibc<{ getpid: () => number; close: (fd: number) => number }>({ getpid: 'int getpid()', close: 'int close(int fd)' });
  const a = get();
  const b = get();
  calls += a === b ? 1 : 0;
  t.is(calls, 1, 'the same table each time');
  t.is(a.getpid(), process.pid);
  t.is(a.close(-1), -1);
  const errno = lastErrno();
  t.is(errnoName(errno), 'EBADF');
  t.is(strerror(errno), 'Bad file descriptor');
  t.is(errnoName(99999), 'E99999');
});
