import test from 'ava';
import { tabwrite } from './tabwriter.js';

test('tabwrite aligns column blocks like Go\'s tabwriter', (t) => {
  // A line without tabs ends the block above it; consecutive lines with cells share a column,
  // indentation included (which is why kubectl's "Events:" lines up with the lines before it).
  const text = 'Name:\tweb\nNamespace:\tdefault\nContainers:\n  web:\n    Image:\tnginx\n    Restart Count:\t0\nEvents:\t<none>\n';
  t.is(tabwrite(text), 'Name:       web\nNamespace:  default\nContainers:\n  web:\n    Image:          nginx\n    Restart Count:  0\nEvents:             <none>\n');
  t.is(tabwrite('a\tbb\tc\naaa\tb\n', 0, 1), 'a   bb c\naaa b\n');
});
