// why.ts: `skiff why pod/NAME` and `skiff schedule --dry-run -f pod.yaml` — for every node,
// whether the pod fits, the filter and reason that rejected it, or its scores. Both read the
// scheduler's cache through the API server's skiff.dev extension (see pkg/scheduler/why-handler.ts):
//
//   GET  /apis/skiff.dev/v1/namespaces/NS/pods/NAME/why
//   POST /apis/skiff.dev/v1/namespaces/NS/schedulingexplanations   (body: the Pod; nothing is stored)
//
// The response shape is declared here rather than imported: the CLI meets the scheduler only
// at the API (STYLE 7).
import type { Command } from '../command.js';
import type { Factory } from '../factory.js';
import { parseFlags } from '../flags.js';
import { UserError } from '../io.js';
import { readManifests } from '../manifest.js';
import { toJson, toYaml } from '../printers/output.js';
import { alignColumnsPadded } from '../printers/tabwriter.js';

/** ExplanationRow is one node's verdict in a SchedulingExplanation. */
export interface ExplanationRow {
  node: string;
  fits: boolean;
  filter?: string;
  reasons?: string[];
  scores?: Record<string, number>;
  total?: number;
  current?: boolean;
}

/** SchedulingExplanation is the skiff.dev/v1 object the API server answers `why` with. */
export interface SchedulingExplanation {
  apiVersion: string;
  kind: 'SchedulingExplanation';
  pod: string;
  nodeName?: string;
  priority: number;
  feasibleNodes: number;
  totalNodes: number;
  weights: Record<string, number>;
  rows: ExplanationRow[];
}

const POD_TYPES = new Set(['pod', 'pods', 'po']);

/** parseWhyTarget reads `pod/NAME`, `pod NAME` or `NAME`. */
export function parseWhyTarget(args: string[]): string {
  const [first, second, ...extra] = args;
  if (!first) throw new UserError('you must specify a pod: skiff why pod/NAME');
  let name: string | undefined;
  if (first.includes('/')) {
    const [type, n] = first.split('/', 2);
    if (!POD_TYPES.has(type.toLowerCase())) throw new UserError(`why explains pods only, not "${type}"`);
    name = n;
    if (second !== undefined) throw new UserError('why explains one pod at a time');
  } else if (POD_TYPES.has(first.toLowerCase()) && second !== undefined) {
    name = second;
    if (extra.length) throw new UserError('why explains one pod at a time');
  } else {
    name = first;
    if (second !== undefined) throw new UserError('why explains one pod at a time');
  }
  if (!name) throw new UserError('you must specify a pod name');
  return name;
}

function reasonSummary(e: SchedulingExplanation): string {
  const counts = new Map<string, number>();
  for (const r of e.rows) if (!r.fits) for (const reason of r.reasons ?? [r.filter ?? 'rejected']) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  const parts = [...counts].sort((a, b) => a[0].localeCompare(b[0])).map(([reason, n]) => `${n} ${reason}`);
  return parts.length ? `: ${parts.join(', ')}` : '';
}

/**
 * formatExplanation renders an explanation: a headline, then NODE, FITS, FILTER, REASON, SCORES,
 * TOTAL (padding 3, as kubectl's tables). The chosen node — the one a placed pod is on, or for a
 * pending or dry-run pod the highest total — is marked "(chosen)" or "(best)".
 */
export function formatExplanation(e: SchedulingExplanation, dryRun = false): string {
  const best = !e.nodeName && e.feasibleNodes > 0 ? e.rows.find((r) => r.fits)?.node : undefined;
  let headline: string;
  if (e.nodeName) headline = `Pod ${e.pod} is bound to node ${e.nodeName}; ${e.feasibleNodes}/${e.totalNodes} nodes would fit it now.`;
  else if (e.totalNodes === 0) headline = `Pod ${e.pod} ${dryRun ? 'would not be scheduled' : 'is not scheduled'}: there are no nodes.`;
  else if (e.feasibleNodes === 0) headline = `Pod ${e.pod} ${dryRun ? 'would stay Pending' : 'is Pending'}: 0/${e.totalNodes} nodes are available${reasonSummary(e)}.`;
  else headline = `Pod ${e.pod} ${dryRun ? 'would be' : 'is not yet'} scheduled: ${e.feasibleNodes}/${e.totalNodes} nodes fit; the best is ${best} (equal totals are broken at random).`;
  const rows = [['NODE', 'FITS', 'FILTER', 'REASON', 'SCORES', 'TOTAL']];
  for (const r of e.rows) {
    const mark = r.current || r.node === e.nodeName ? ' (chosen)' : r.node === best ? ' (best)' : '';
    rows.push([
      r.node + mark,
      r.fits ? 'yes' : 'no',
      r.filter ?? '',
      (r.reasons ?? []).join('; '),
      Object.entries(r.scores ?? {})
        .map(([k, v]) => `${k}=${Math.round(v)}`)
        .join(' '),
      r.total === undefined ? '' : String(Math.round(r.total)),
    ]);
  }
  // Rejected rows end in empty SCORES and TOTAL cells: drop the padding they would leave.
  const table = alignColumnsPadded(rows, 0, 3)
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
  return `${headline}\n${table}`;
}

function explanationPath(namespace: string, rest: string): string {
  return `/apis/skiff.dev/v1/namespaces/${encodeURIComponent(namespace)}/${rest}`;
}

function print(f: Factory, e: SchedulingExplanation, output: string | undefined, dryRun: boolean): void {
  if (output === 'json') f.io.stdout.write(toJson(e));
  else if (output === 'yaml') f.io.stdout.write(toYaml(e));
  else if (output === undefined || output === 'wide') f.io.stdout.write(formatExplanation(e, dryRun));
  else throw new UserError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json,yaml`);
}

export const whyCommand: Command = {
  name: 'why',
  summary: "Explain the scheduler's verdict on every node for a pod",
  async run(f, args) {
    const { values, positionals } = parseFlags<{ output?: string }>('why', args, { output: { type: 'string', short: 'o' } });
    const name = parseWhyTarget(positionals);
    const e = await f.client().request<SchedulingExplanation>({ method: 'GET', path: explanationPath(f.namespace(), `pods/${encodeURIComponent(name)}/why`) });
    print(f, e, values.output, false);
    return 0;
  },
};

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'Explain where the scheduler would place a pod from a file, without creating it (--dry-run)',
  async run(f, args) {
    const { values, positionals } = parseFlags<{ filename?: string[]; 'dry-run'?: boolean; output?: string }>('schedule', args, {
      filename: { type: 'string', short: 'f', multiple: true },
      'dry-run': { type: 'boolean' },
      output: { type: 'string', short: 'o' },
    });
    if (!values['dry-run']) throw new UserError('schedule only explains (--dry-run): the scheduler places pods once they are created');
    if (positionals.length) throw new UserError(`unexpected arguments: ${positionals.join(' ')}`);
    if (!values.filename?.length) throw new UserError('must specify -f FILE with the pod to explain');
    const files = await readManifests(values.filename, false, f.io);
    const docs = files.flatMap((file) => file.docs);
    const bad = docs.find((d) => d.error);
    if (bad) throw new UserError(`${bad.source}: ${bad.error}`);
    const pods = docs.filter((d) => d.object?.kind === 'Pod');
    if (pods.length === 0) throw new UserError('no Pod found in the given files (schedule --dry-run explains pods only)');
    let first = true;
    for (const doc of pods) {
      const pod = doc.object!;
      const namespace = pod.metadata?.namespace ?? f.namespace();
      const e = await f.client().request<SchedulingExplanation>({ method: 'POST', path: explanationPath(namespace, 'schedulingexplanations'), body: pod });
      if (!first && (values.output === undefined || values.output === 'wide')) f.io.stdout.write('\n');
      first = false;
      print(f, e, values.output, true);
    }
    return 0;
  },
};
