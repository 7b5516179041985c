import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { manifestFiles, parseManifest, splitDocuments } from './manifest.js';
import { UserError } from './io.js';

test('splitDocuments keeps document start lines and drops a leading separator', (t) => {
  t.deepEqual(splitDocuments('---\na: 1\n---\nb: 2\n').map((d) => d.line), [2, 4]);
  t.deepEqual(splitDocuments('a: 1\n--- # comment\nb: 2').map((d) => d.text), ['a: 1', 'b: 2']);
});

test('parseManifest numbers documents, skips empty ones, expands Lists and reports bad ones', (t) => {
  const docs = parseManifest('a: 1\n---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n---\n[1, 2]\n---\nx: [\n', 'f.yaml');
  t.deepEqual(docs.map((d) => [d.document, d.object?.kind ?? d.object?.a ?? d.error?.slice(0, 20)]), [
    [1, 1],
    [3, 'A'],
    [3, 'B'],
    [4, 'expected a mapping ('],
    [5, 'error converting YAM'],
  ]);
  t.regex(docs[4].error!, /at line 14, column 1$/, "positions count from the top of the file");
  t.deepEqual(parseManifest('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}', 'x.json')[0].object?.kind, 'ConfigMap');
  t.is(typeof parseManifest('metadata: {creationTimestamp: 2024-01-01T00:00:00Z}', 'f')[0].object?.metadata.creationTimestamp, 'string', 'timestamps stay strings');
});

test('manifestFiles expands directories in order, nested ones only with -R', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'skiff-cli-mf-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'app', 'sub'), { recursive: true });
  for (const f of ['app/b.yaml', 'app/a.json', 'app/notes.txt', 'app/sub/c.yml']) fs.writeFileSync(path.join(dir, f), '');
  t.deepEqual(manifestFiles(['app'], false, dir), ['app/a.json', 'app/b.yaml']);
  t.deepEqual(manifestFiles(['app', '-'], true, dir), ['app/a.json', 'app/b.yaml', 'app/sub/c.yml', '-']);
  t.throws(() => manifestFiles(['missing.yaml'], false, dir), { instanceOf: UserError, message: 'the path "missing.yaml" does not exist' });
});
