// priority.ts: a pod's priority. The API server's Priority admission plugin would set
// spec.priority from spec.priorityClassName; until Skiff's API server does, the scheduler
// resolves it itself from PriorityClass objects (spec.priority, when set, wins).
import type { Pod } from '../api/core/pod-types.js';
import { type PriorityClass, SYSTEM_PRIORITY_CLASSES } from '../api/scheduling.js';

/** PriorityResolver maps pods to priorities from the PriorityClasses it is told about. */
export class PriorityResolver {
  private readonly classes = new Map<string, PriorityClass>();
  private globalDefault: PriorityClass | undefined;

  /** set records (or replaces) a PriorityClass. */
  set(pc: PriorityClass): void {
    this.classes.set(pc.metadata.name as string, pc);
    this.recomputeDefault();
  }

  /** delete forgets a PriorityClass. */
  delete(name: string): void {
    this.classes.delete(name);
    this.recomputeDefault();
  }

  /** priorityOf returns spec.priority, else the class's value, else the global default's, else 0. */
  priorityOf(pod: Pod): number {
    if (typeof pod.spec.priority === 'number') return pod.spec.priority;
    const name = pod.spec.priorityClassName;
    if (name) {
      const pc = this.classes.get(name);
      if (pc) return pc.value;
      if (name in SYSTEM_PRIORITY_CLASSES) return SYSTEM_PRIORITY_CLASSES[name];
      return 0;
    }
    return this.globalDefault?.value ?? 0;
  }

  /** preemptionPolicyOf returns the pod's preemption policy (spec, else its class, else PreemptLowerPriority). */
  preemptionPolicyOf(pod: Pod): 'PreemptLowerPriority' | 'Never' {
    if (pod.spec.preemptionPolicy) return pod.spec.preemptionPolicy;
    const pc = pod.spec.priorityClassName ? this.classes.get(pod.spec.priorityClassName) : this.globalDefault;
    return pc?.preemptionPolicy ?? 'PreemptLowerPriority';
  }

  private recomputeDefault(): void {
    let best: PriorityClass | undefined;
    for (const pc of this.classes.values()) if (pc.globalDefault && (!best || pc.value > best.value)) best = pc;
    this.globalDefault = best;
  }
}
