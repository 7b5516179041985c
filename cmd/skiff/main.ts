// cmd/skiff: the `skiff` binary — argument parsing and wiring only. Component commands
// (server, agent, runtime) run long-lived processes; everything else is the kubectl-like CLI.
// Each command imports only what it needs, so that `skiff get` starts fast.
import { parseArgs } from 'node:util';

const COMPONENTS = `Components:
  skiff server [--data-dir DIR] [--listen HOST:PORT] [--etcd-endpoints URL,...] [--controllers LIST] [--allow-non-loopback]
               [--disable-agent] [--node-name NAME] [--agent-port N] [--pod-network bridge|loopback] [--pod-manifest-path DIR]
  skiff cluster up [--nodes N] [--data-dir DIR] [--name NAME] [--lab-cidr CIDR] [--runtime crun|runc]
  skiff cluster down [--data-dir DIR] [--keep-data]
  skiff cluster status [--data-dir DIR]
  skiff agent --node-name NAME --data-dir DIR (--server URL [--token T] | --kubeconfig FILE) [flags]
  skiff runtime --state-dir DIR --socket PATH [--runtime crun|runc] [--image-dir DIR] [--insecure-registry HOST:PORT]
`;

const SERVER_USAGE = `Usage: skiff server [flags]

Runs the control plane: etcd (unless --etcd-endpoints), the API server, the controller manager
and the scheduler; and, as k3s does, an agent for this machine unless --disable-agent.
  --data-dir DIR            state: etcd data, kubeconfig.yaml, the built-in agent (default /var/lib/skiff/server)
  --listen HOST:PORT        API address (default 127.0.0.1:6443)
  --allow-non-loopback      listen on a non-loopback address (no TLS or authentication yet)
  --etcd-endpoints URL,...  use this etcd instead of starting one
  --controllers LIST        controllers to run ("*", "-name" to leave one out; default all)
  --disable-agent           do not run an agent in the server
  --node-name NAME          the built-in agent's node name (default: the hostname)
  --agent-port N            the built-in agent's API port (default 10250)
  --pod-network bridge|loopback   the built-in agent's pod network (default bridge)
  --pod-manifest-path DIR   the built-in agent's static pods (see skiff agent --help)
`;

async function serverCommand(args: string[]): Promise<boolean> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(SERVER_USAGE);
    return false;
  }
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string', default: '/var/lib/skiff/server' },
      listen: { type: 'string', default: '127.0.0.1:6443' },
      'etcd-endpoints': { type: 'string' },
      controllers: { type: 'string' },
      'allow-non-loopback': { type: 'boolean', default: false },
      'disable-agent': { type: 'boolean', default: false },
      'node-name': { type: 'string' },
      'agent-port': { type: 'string', default: '10250' },
      'pod-network': { type: 'string', default: 'bridge' },
      'pod-manifest-path': { type: 'string' },
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
  // As k3s does, the server also runs an agent for this machine unless --disable-agent.
  let agent: { stop(): Promise<void> } | undefined;
  if (!values['disable-agent']) {
    const { startAgent } = await import('../../pkg/agent/main.js');
    const { hostname } = await import('node:os');
    const { join } = await import('node:path');
    agent = await startAgent({
      server: server.url,
      nodeName: values['node-name'] ?? hostname(),
      dataDir: join(values['data-dir']!, 'agent'),
      port: Number(values['agent-port']),
      bridge: values['pod-network'] === 'loopback' ? undefined : {},
      podManifestPath: values['pod-manifest-path'],
    });
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await agent?.stop();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  return true;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
      return (await serverCommand(rest)) ? -1 : 0; // -1: keeps running until a signal
    case 'agent':
      return (await import('../../pkg/agent/main.js')).agentMain(rest);
    case 'controller-manager':
      return (await import('../../pkg/controllermanager/main.js')).controllerManagerMain(rest);
    case 'cluster':
      return (await import('../../pkg/cluster/main.js')).clusterMain(rest);
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
