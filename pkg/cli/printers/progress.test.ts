import test from 'ava';
import { BufferStream } from '../io.js';
import { Progress } from './progress.js';

test('progress is drawn on a TTY and nowhere else', (t) => {
  const tty = new BufferStream(true);
  const p = new Progress(tty);
  p.update('waiting 1s');
  p.update('waiting 2s');
  p.done();
  t.is(tty.text(), '\r\x1b[Kwaiting 1s\r\x1b[Kwaiting 2s\r\x1b[K');
  const pipe = new BufferStream(false);
  new Progress(pipe).update('x');
  t.is(pipe.text(), '');
});
