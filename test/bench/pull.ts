// bench:pull — pull of a ~10 MB image from Debian's docker-registry on loopback through the
// runtime's image store (FsImageStore.pull: manifest, blobs verified by digest, layers unpacked
// into the store) against `skopeo copy docker://… oci:DIR` of the same image (download and
// verify, no unpacking) in the same run, interleaved, each into a fresh directory.
//
// Usage: node --import tsx test/bench/pull.ts [--runs 5 --mib 10]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildImage, buildLayer, newLayout } from '../../pkg/runtime/image/oci-layout.js';
import { pushLayout } from '../../pkg/runtime/image/push.js';
import { busyboxRootfs } from '../../pkg/runtime/image/samples.js';
import { FsImageStore } from '../../pkg/runtime/image/store.js';
import { startRegistry } from '../lib/registry.js';
import { emit, round } from './report.js';

const run = promisify(execFile);
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, mib: { type: 'string', default: '10' } } });
const RUNS = Number(values.runs);
const MIB = Number(values.mib);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  try {
    await run('skopeo', ['--version']);
  } catch {
    process.stdout.write('bench:pull: skopeo is not installed (hack/setup.sh installs it); nothing measured\n');
    return;
  }
  const work = mkdtempSync(path.join(tmpdir(), 'skifftest-pull-'));
  const registry = await startRegistry();
  try {
    // busybox plus MIB of random bytes (incompressible: the layer stays ~MIB on the wire).
    const base = await buildLayer(busyboxRootfs());
    const data = await buildLayer([{ path: 'data', type: 'directory' }, { path: 'data/blob', content: randomBytes(MIB << 20) }]);
    const image = buildImage({ layers: [base, data], config: { Cmd: ['/bin/sh'] } });
    const ref = `${registry.host}/bench/big:v1`;
    await pushLayout(newLayout([{ image }]), ref, { insecureRegistries: [registry.host] });
    const bytes = [...image.blobs.values()].reduce((n, b) => n + b.length, 0);

    const ours: number[] = [];
    const skopeo: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const storeDir = path.join(work, `store-${i}`);
      const t0 = performance.now();
      const store = await FsImageStore.open({ root: storeDir });
      await store.pull(ref, { insecureRegistries: [registry.host] });
      ours.push(performance.now() - t0);
      rmSync(storeDir, { recursive: true, force: true });

      const ociDir = path.join(work, `oci-${i}`);
      const t1 = performance.now();
      await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${ociDir}:big`]);
      skopeo.push(performance.now() - t1);
      rmSync(ociDir, { recursive: true, force: true });
    }
    const o = median(ours);
    const s = median(skopeo);
    const mb = round(bytes / 1e6, 1);
    process.stdout.write(`pull of a ${mb} MB image (${RUNS} runs each): image store p50 ${round(o)} ms, skopeo copy p50 ${round(s)} ms, ratio ${round(o / s, 2)}×\n`);
    emit({
      bench: 'pull',
      name: 'pull_p50',
      label: `pull of a ${mb} MB image (2 layers) from a loopback registry into the image store, layers verified and unpacked, p50 of ${RUNS}; vs \`skopeo copy\` to an OCI layout (no unpacking)`,
      value: round(o),
      unit: 'ms',
      baseline: round(s),
      baselineLabel: 'skopeo copy p50',
      goal: '—',
    });
  } finally {
    await registry.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
