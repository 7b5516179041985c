// main.ts: the `skiff cluster` command line (up, down, status).
import { parseArgs } from 'node:util';
import { processAlive } from '../runtime/conmon.js';
import { clusterDown, clusterUp, readClusterState, readyNodes } from './cluster.js';

/** clusterUsage is the command's help text. */
export const clusterUsage = `Usage:
  skiff cluster up [--nodes N] [--data-dir DIR] [flags]   start a local cluster: a server and N agents,
                                                           each agent a simulated host (network namespace)
  skiff cluster down [--data-dir DIR] [--keep-data]        stop it and remove everything it made
  skiff cluster status [--data-dir DIR]                    show its processes and nodes

Flags of up:
  --nodes N            agents to start (default 2)
  --data-dir DIR       where the cluster keeps its state (default .data)
  --name NAME          prefix of its namespaces, links and cgroups (default skiff)
  --lab-cidr CIDR      addresses of the simulated hosts; the host gets the first (default 10.44.0.0/24)
  --port N             API server port on the host's lab address (default 6443)
  --runtime crun|runc  OCI runtime of the agents (default crun)
  --no-images          do not import the sample images into the nodes
`;

/** clusterMain runs `skiff cluster …` and returns the exit code. */
export async function clusterMain(argv: string[]): Promise<number> {
  const [first, ...tail] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(clusterUsage);
    return 0;
  }
  const sub = first;
  const rest = tail;
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        nodes: { type: 'string', default: '2' },
        'data-dir': { type: 'string', default: '.data' },
        name: { type: 'string', default: 'skiff' },
        'lab-cidr': { type: 'string' },
        port: { type: 'string', default: '6443' },
        runtime: { type: 'string', default: 'crun' },
        'no-images': { type: 'boolean', default: false },
        'keep-data': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${clusterUsage}`);
    return 2;
  }
  if (values.help || !sub) {
    process.stdout.write(clusterUsage);
    return sub ? 0 : 2;
  }
  const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
  const dataDir = values['data-dir'];
  switch (sub) {
    case 'up': {
      const runtime = values.runtime;
      if (runtime !== 'crun' && runtime !== 'runc') {
        process.stderr.write(`--runtime must be crun or runc\n`);
        return 2;
      }
      const state = await clusterUp({ dataDir, nodes: Number(values.nodes), name: values.name, labCidr: values['lab-cidr'], port: Number(values.port), runtime, images: !values['no-images'], log });
      process.stdout.write(`export KUBECONFIG=${state.server.kubeconfig}\n`);
      return 0;
    }
    case 'down': {
      const found = await clusterDown(dataDir, { keepData: values['keep-data'], log });
      if (!found) log(`no cluster in ${dataDir}`);
      return 0;
    }
    case 'status': {
      const state = readClusterState(dataDir);
      if (!state) {
        process.stdout.write(`no cluster in ${dataDir}\n`);
        return 1;
      }
      const alive = async (pid: number) => ((await processAlive(pid)) ? 'running' : 'stopped');
      const ready = await readyNodes(state.server.url).catch(() => [] as string[]);
      process.stdout.write(`cluster ${state.name}: server ${state.server.url} pid ${state.server.pid} (${await alive(state.server.pid)})\n`);
      for (const a of state.agents) {
        process.stdout.write(`  ${a.nodeName}  ${a.address}  pid ${a.pid} (${await alive(a.pid)})  ${ready.includes(a.nodeName) ? 'Ready' : 'NotReady'}\n`);
      }
      process.stdout.write(`kubeconfig: ${state.server.kubeconfig}\n`);
      return 0;
    }
    default:
      process.stderr.write(`unknown subcommand "${sub}"\n${clusterUsage}`);
      return 2;
  }
}
