// build.ts: builds the sample images as OCI layout tars, without a Docker engine.
//
//   node --import tsx hack/images/build.ts --out DIR [--push 127.0.0.1:5000]
//
// Writes DIR/<name>-<tag>.tar for skiff.local/{busybox,web:v1,web:v2,crasher,batch} and
// prints each image's manifest digest (stable across runs). With --push it also pushes
// each image to a loopback registry as <registry>/<name>:<tag>.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeLayoutTar } from '../../pkg/runtime/image/oci-layout.js';
import { pushLayout } from '../../pkg/runtime/image/push.js';
import { parseReference } from '../../pkg/runtime/image/reference.js';
import { buildSampleImages } from '../../pkg/runtime/image/samples.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    push: { type: 'string' },
    busybox: { type: 'string', default: '/bin/busybox' },
  },
});
if (!values.out) {
  process.stderr.write('usage: build.ts --out DIR [--push HOST:PORT] [--busybox PATH]\n');
  process.exit(2);
}
const out = resolve(values.out);
mkdirSync(out, { recursive: true });
for (const sample of await buildSampleImages(values.busybox)) {
  const file = join(out, sample.file);
  await writeLayoutTar(sample.layout, file);
  let line = `${sample.name}\t${sample.image.descriptor.digest}\t${file}`;
  if (values.push) {
    const ref = parseReference(sample.name);
    const target = `${values.push}/${ref.path}:${ref.tag}`;
    await pushLayout(sample.layout, target, { insecureRegistries: [values.push] });
    line += `\tpushed ${target}`;
  }
  process.stdout.write(`${line}\n`);
}
