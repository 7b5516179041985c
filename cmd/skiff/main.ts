// cmd/skiff: the `skiff` binary — argument parsing and wiring only.
import { parseArgs } from 'node:util';
import { startServer } from '../../pkg/server/server.js';
import { runtimeMain } from '../../pkg/runtime/index.js';

const USAGE = `skiff — a small, real Kubernetes

Usage:
  skiff server [--data-dir DIR] [--listen HOST:PORT] [--etcd-endpoints URL,...] [--allow-non-loopback]
  skiff runtime --state-dir DIR --socket PATH [--runtime crun|runc] [--image-dir DIR] [--insecure-registry HOST:PORT]
  skiff version
`;

async function serverCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: '/var/lib/skiff/server' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'etcd-endpoints': { type: 'string' },
      'allow-non-loopback': { type: 'boolean', default: false },
    },
  });
  const server = await startServer({
    dataDir: values['data-dir']!,
    listen: values.listen,
    etcdEndpoints: values['etcd-endpoints']?.split(',').filter(Boolean),
    allowNonLoopback: values['allow-non-loopback'],
  });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      await serverCommand(rest);
      return -1; // keeps running
    case 'runtime':
      return runtimeMain(rest);
    case 'version':
    case '--version':
      console.log('skiff v0.1.0 (Kubernetes API v1.32)');
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`error: unknown command "${command}"\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
