// main.ts: `skiff runtime --state-dir DIR --socket PATH [--runtime crun|runc] [--image-dir DIR]
// [--insecure-registry HOST:PORT]... [--pids-limit N]` — run the runtime server until SIGINT/SIGTERM. Stopping it
// leaves containers running; the next start adopts them.
import path from 'node:path';
import { pino } from 'pino';
import { FsImageStore } from '../image/store.js';
import { startRuntimeServer } from './server.js';
import { parseFlags } from '../../util/flags.js';

/** runtimeUsage is the command's help text. */
export const runtimeUsage = `Usage: skiff runtime --state-dir DIR --socket PATH [--runtime crun|runc] [--image-dir DIR] [--insecure-registry HOST:PORT]... [--pids-limit N]

Runs the container runtime (CRI-shaped gRPC on a unix socket).
  --state-dir DIR           runtime state: sandboxes, containers, OCI runtime root
  --socket PATH             unix socket to serve on
  --runtime crun|runc       low-level OCI runtime (default crun)
  --image-dir DIR           image store directory (default <state-dir>/images)
  --insecure-registry H:P   registry that may be pulled over plain HTTP (loopback only)
  --pids-limit N            process limit of containers that set none (default 0: unlimited)
`;

/** runtimeMain runs the runtime server; it resolves when a signal stopped it. */
export async function runtimeMain(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    {
      'state-dir': { type: 'string' },
      socket: { type: 'string' },
      runtime: { type: 'string', default: 'crun' },
      'image-dir': { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true, default: [] },
      'pids-limit': { type: 'string', default: '0' },
    },
    runtimeUsage,
  );
  if (typeof values === 'number') return values;
  const stateDir = values['state-dir'];
  const socketPath = values.socket;
  const runtime = values.runtime;
  const pidsLimit = Number(values['pids-limit']);
  if (!stateDir || !socketPath || (runtime !== 'crun' && runtime !== 'runc') || !Number.isInteger(pidsLimit) || pidsLimit < 0) {
    process.stderr.write(runtimeUsage);
    return 2;
  }
  const logger = pino({ name: 'runtime' });
  const imageStore = await FsImageStore.open({ root: path.resolve(values['image-dir'] ?? path.join(stateDir, 'images')) });
  const server = await startRuntimeServer({
    socketPath: path.resolve(socketPath),
    stateDir: path.resolve(stateDir),
    runtime,
    imageStore,
    logger,
    insecureRegistries: values['insecure-registry'],
    runtimeOptions: { defaultPidsLimit: pidsLimit },
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('shutting down; containers keep running');
  await server.close();
  return 0;
}
