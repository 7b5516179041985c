// image.ts: `skiff image import|ls|rm|pull` — the node's image store, as `crictl images` /
// `k3s ctr images import` see it. Either the store under an agent's data dir (--data-dir: the
// store has one owner, so use it while that agent is stopped) or a runtime's CRI socket
// (--runtime-endpoint: safe while it runs; CRI has no import, so import needs --data-dir).
import path from 'node:path';
import type { Command } from '../command.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { alignColumns } from '../printers/table.js';
import type { CriImage, ImageService } from '../../runtime/service.js';

/** DEFAULT_AGENT_DATA_DIR is where `skiff image` looks for the store without flags. */
export const DEFAULT_AGENT_DATA_DIR = '/var/lib/skiff/agent';

const usage = `Manage the node's images (the agent's image store or a runtime's CRI socket).

Usage:
  skiff image import FILE...        load OCI layout or docker-save archives (needs --data-dir)
  skiff image ls [-q]               list images: REPOSITORY TAG IMAGE ID SIZE
  skiff image pull REF [--insecure-registry HOST:PORT]...
  skiff image rm REF...             untag / remove images

Flags:
  --data-dir DIR            agent data dir whose images/ store to use (default ${DEFAULT_AGENT_DATA_DIR});
                            the store has one owner: use it while that agent is stopped
  --runtime-endpoint PATH   a runtime's CRI unix socket (skiff runtime --socket) instead
  --insecure-registry H:P   pull over plain HTTP from this loopback registry
`;

interface ImageFlags {
  'data-dir'?: string;
  'runtime-endpoint'?: string;
  'insecure-registry'?: string[];
  quiet?: boolean;
  help?: boolean;
}

/** ImageBackend is an ImageService plus, for a local store, archive import. */
interface ImageBackend {
  images: ImageService;
  importArchive?: (file: string) => Promise<{ id: string; repoTags: string[] }[]>;
  close(): void;
}

async function openBackend(flags: ImageFlags): Promise<ImageBackend> {
  if (flags['runtime-endpoint']) {
    if (flags['data-dir']) throw new UserError('image: give --data-dir or --runtime-endpoint, not both');
    const { RuntimeClient } = await import('../../runtime/cri/client.js');
    const client = new RuntimeClient(path.resolve(flags['runtime-endpoint']));
    try {
      await client.waitReady(5000);
    } catch {
      client.close();
      throw new UserError(`image: no runtime answers on ${flags['runtime-endpoint']}`);
    }
    return { images: client, close: () => client.close() };
  }
  const { FsImageStore } = await import('../../runtime/image/store.js');
  const { CriImageService } = await import('../../runtime/cri/images.js');
  // The agent keeps its images in <data-dir>/images (pkg/agent/runtime.ts).
  const store = await FsImageStore.open({ root: path.join(path.resolve(flags['data-dir'] ?? DEFAULT_AGENT_DATA_DIR), 'images') });
  return {
    images: new CriImageService(store, flags['insecure-registry'] ?? []),
    importArchive: (file) => store.importArchive(file),
    close: () => undefined,
  };
}

/** humanSize prints bytes as crictl does (docker/go-units HumanSize: decimal units, 4 significant digits). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** splitRepoTag splits "host/repo:tag" at the tag's colon (a port's colon is not a tag). */
export function splitRepoTag(ref: string): [string, string] {
  const at = ref.lastIndexOf(':');
  return at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, '<none>'];
}

/** imageRows renders `image ls`: one row per tag (an untagged image shows <none>), sorted. */
export function imageRows(images: CriImage[]): string[][] {
  const rows: string[][] = [];
  for (const img of images) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const size = humanSize(Number(img.size));
    const tags = img.repoTags.length > 0 ? img.repoTags.map(splitRepoTag) : [['<none>', '<none>'] as [string, string]];
    for (const [repo, tag] of tags) rows.push([repo, tag, id, size]);
  }
  rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  return [['REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], ...rows];
}

export const imageCommand: Command = {
  name: 'image',
  summary: "Manage the node's images: import, ls, pull, rm",
  async run(f, args) {
    const { values, positionals } = parseFlags<ImageFlags>('image', args, {
      'data-dir': { type: 'string' },
      'runtime-endpoint': { type: 'string' },
      'insecure-registry': { type: 'string', multiple: true },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    });
    const [sub, ...rest] = positionals;
    if (values.help || !sub) {
      f.io.stdout.write(usage);
      return values.help ? 0 : 1;
    }
    if (!['import', 'ls', 'list', 'pull', 'rm', 'remove'].includes(sub)) throw new UserError(`image: unknown command "${sub}"\n${usage}`);
    if (['import', 'pull', 'rm', 'remove'].includes(sub) && rest.length === 0) throw new UserError(`image ${sub}: at least one argument is required`);
    if (sub === 'import' && values['runtime-endpoint']) throw new UserError('image import: CRI has no import; use --data-dir with the agent stopped');
    const backend = await openBackend(values);
    try {
      switch (sub) {
        case 'import':
          for (const file of rest) {
            for (const img of await backend.importArchive!(path.resolve(f.io.cwd ?? '.', file))) {
              f.io.stdout.write(`Imported ${img.repoTags.join(', ') || '<none>'} ${img.id}\n`);
            }
          }
          return 0;
        case 'ls':
        case 'list': {
          const images = await backend.images.listImages();
          if (values.quiet) f.io.stdout.write(images.map((i) => `${i.id}\n`).join(''));
          else f.io.stdout.write(alignColumns(imageRows(images)));
          return 0;
        }
        case 'pull':
          for (const ref of rest) {
            // a socket's runtime decides itself which registries are insecure
            const id = await backend.images.pullImage(ref);
            f.io.stdout.write(`Image is up to date for ${id}\n`);
          }
          return 0;
        default: {
          let code = 0;
          for (const ref of rest) {
            const img = await backend.images.imageStatus(ref);
            if (!img) {
              f.io.stderr.write(`error: no such image ${ref}\n`);
              code = 1;
              continue;
            }
            await backend.images.removeImage(ref);
            f.io.stdout.write(`Deleted: ${ref}\n`);
          }
          return code;
        }
      }
    } finally {
      backend.close();
    }
  },
};
