// iptables.ts: reading and writing the proxy's chains in one network namespace, through
// iptables-save / iptables-restore --noflush (one atomic transaction per table section).
import { CommandError, type Runner } from '../exec.js';
import { inNetnsPath } from '../netns.js';
import { Chains, Hooks, type RuleSet } from './rules.js';

/** isProxyChain tells whether a chain belongs to the service proxy. */
export function isProxyChain(chain: string): boolean {
  return (Object.values(Chains) as string[]).includes(chain) || chain.startsWith('SKIFF-SVC-') || chain.startsWith('SKIFF-SEP-');
}

/** parseSave reads the proxy's chains and rules out of iptables-save output. */
export function parseSave(text: string, owned: (chain: string) => boolean = isProxyChain): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const decl = /^:(\S+) /.exec(line);
    if (decl && owned(decl[1])) chains.set(decl[1], []);
    const rule = /^-A (\S+) /.exec(line);
    if (rule && chains.has(rule[1])) chains.get(rule[1])!.push(line);
  }
  return chains;
}

/** Iptables runs iptables commands inside one namespace ("" = this process's). */
export class Iptables {
  constructor(
    private readonly run: Runner,
    private readonly netnsPath: string,
  ) {}

  private cmd(argv: string[], input?: string): Promise<{ stdout: string }> {
    return this.run(inNetnsPath(this.netnsPath, argv), input);
  }

  /** save returns `iptables-save -t table`. */
  async save(table: string): Promise<string> {
    return (await this.cmd(['iptables-save', '-t', table])).stdout;
  }

  /** current reads the proxy's chains as they are in the kernel. */
  async current(owned: (chain: string) => boolean = isProxyChain): Promise<RuleSet> {
    return { nat: parseSave(await this.save('nat'), owned), filter: parseSave(await this.save('filter'), owned) };
  }

  /** restore applies an iptables-restore --noflush payload atomically. */
  async restore(text: string): Promise<void> {
    if (text) await this.cmd(['iptables-restore', '-w', '5', '--noflush'], text);
  }

  /** ensureRule inserts rule at the top of chain unless it is already there. */
  async ensureRule(table: string, chain: string, rule: string[]): Promise<void> {
    try {
      await this.cmd(['iptables', '-w', '5', '-t', table, '-C', chain, ...rule]);
    } catch (err) {
      if (!(err instanceof CommandError)) throw err;
      await this.cmd(['iptables', '-w', '5', '-t', table, '-I', chain, '1', ...rule]);
    }
  }

  /** deleteRule removes every copy of rule from chain. */
  async deleteRule(table: string, chain: string, rule: string[]): Promise<void> {
    for (let i = 0; i < 10; i++) {
      try {
        await this.cmd(['iptables', '-w', '5', '-t', table, '-D', chain, ...rule]);
      } catch {
        return;
      }
    }
  }

  /** ensureHooks installs the jumps from the built-in chains. */
  async ensureHooks(): Promise<void> {
    for (const h of Hooks) await this.ensureRule(h.table, h.chain, h.rule);
  }

  /** removeHooks removes the jumps from the built-in chains. */
  async removeHooks(): Promise<void> {
    for (const h of Hooks) await this.deleteRule(h.table, h.chain, h.rule);
  }
}
