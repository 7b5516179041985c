// cmd/skiff: the `skiff` binary — argument parsing and wiring only. Component commands
// (server, agent, runtime) run long-lived processes; everything else is the kubectl-like CLI.
// Each command imports only what it needs, so that `skiff get` starts fast.
import { parseArgs } from 'node:util';

const COMPONENTS = `Components:
  skiff server [--data-dir DIR] [--listen HOST:PORT] [--etcd-endpoints URL,...] [--controllers LIST] [--allow-non-loopback]
  skiff agent --node-name NAME --data-dir DIR (--server URL [--token T] | --kubeconfig FILE) [flags]
  skiff runtime --state-dir DIR --socket PATH [--runtime crun|runc] [--image-dir DIR] [--insecure-registry HOST:PORT]
`;

async function serverCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: '/var/lib/skiff/server' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'etcd-endpoints': { type: 'string' },
      controllers: { type: 'string' },
      'allow-non-loopback': { type: 'boolean', default: false },
    },
  });
  const { startServer } = await import('../../pkg/server/server.js');
  const server = await startServer({
    dataDir: values['data-dir']!,
    listen: values.listen,
    etcdEndpoints: values['etcd-endpoints']?.split(',').filter(Boolean),
    controllers: values.controllers?.split(',').filter(Boolean),
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
      return -1; // keeps running until a signal
    case 'agent':
      return (await import('../../pkg/agent/main.js')).agentMain(rest);
    case 'runtime':
      return (await import('../../pkg/runtime/index.js')).runtimeMain(rest);
    case 'components':
      process.stdout.write(COMPONENTS);
      return 0;
    default: {
      const { cliMain } = await import('../../pkg/cli/main.js');
      return cliMain(argv, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
    }
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
