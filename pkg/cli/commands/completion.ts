// completion.ts: `skiff completion bash` prints a bash completion script. Subcommands and flags
// are completed from the command table; resource types and names are asked of the cluster
// (`skiff api-resources -o name`, `skiff get TYPE -o name`) when completing.
import type { Command } from '../command.js';
import { UserError } from '../io.js';

/** bashCompletion renders the completion script for the given subcommand names. */
export function bashCompletion(commands: string[]): string {
  return `# bash completion for skiff                                -*- shell-script -*-
# Load with: source <(skiff completion bash)

__skiff_resource_types() {
    skiff api-resources -o name 2>/dev/null | sed -e 's/\\..*$//'
}

__skiff_resource_names() {
    local type="$1" ns_args=()
    [[ -n "$__skiff_ns" ]] && ns_args=(-n "$__skiff_ns")
    skiff get "$type" "\${ns_args[@]}" -o 'jsonpath={.items[*].metadata.name}' 2>/dev/null
}

_skiff() {
    local cur prev words cword
    cur="\${COMP_WORDS[COMP_CWORD]}"
    prev="\${COMP_WORDS[COMP_CWORD-1]}"
    local commands="${commands.join(' ')}"
    local global_flags="--kubeconfig --context --namespace -n --server --token --insecure-skip-tls-verify --request-timeout"
    __skiff_ns=""
    local i command="" positional=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "\${COMP_WORDS[i]}" in
            -n|--namespace) __skiff_ns="\${COMP_WORDS[i+1]}"; ((i++)) ;;
            --kubeconfig|--context|--server|--token|--request-timeout|-o|--output|-l|--selector|-f|--filename|-c|--container) ((i++)) ;;
            -*) ;;
            *) if [[ -z "$command" ]]; then command="\${COMP_WORDS[i]}"; else positional+=("\${COMP_WORDS[i]}"); fi ;;
        esac
    done
    case "$prev" in
        -n|--namespace) COMPREPLY=($(compgen -W "$(__skiff_resource_names namespaces)" -- "$cur")); return ;;
        -f|--filename|--kubeconfig) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -o|--output) COMPREPLY=($(compgen -W "json yaml wide name jsonpath=" -- "$cur")); return ;;
        --context) COMPREPLY=($(compgen -W "$(skiff config get-contexts 2>/dev/null | awk 'NR>1 {print ($1=="*") ? $2 : $1}')" -- "$cur")); return ;;
    esac
    if [[ -z "$command" ]]; then
        COMPREPLY=($(compgen -W "$commands $global_flags" -- "$cur"))
        return
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$global_flags -o --output -l --selector -f --filename -A --all-namespaces -w --watch --dry-run= --server-side --force-conflicts --prune -R --recursive --replicas= --for= --timeout= --tail= -c --container --previous --follow -i -t --image= --rm --overwrite --cascade= --wait" -- "$cur"))
        return
    fi
    case "$command" in
        get|describe|delete|edit|label|annotate|scale|wait|explain)
            if [[ \${#positional[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "$(__skiff_resource_types)" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(__skiff_resource_names "\${positional[0]}")" -- "$cur"))
            fi ;;
        logs|exec|attach)
            COMPREPLY=($(compgen -W "$(__skiff_resource_names pods)" -- "$cur")) ;;
        rollout)
            if [[ \${#positional[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "status history undo restart pause resume" -- "$cur"))
            elif [[ \${#positional[@]} -eq 1 ]]; then
                COMPREPLY=($(compgen -W "deployment daemonset statefulset" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(__skiff_resource_names "\${positional[1]}")" -- "$cur"))
            fi ;;
        config)
            if [[ \${#positional[@]} -eq 0 ]]; then
                COMPREPLY=($(compgen -W "view use-context current-context get-contexts" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$(skiff config get-contexts 2>/dev/null | awk 'NR>1 {print ($1=="*") ? $2 : $1}')" -- "$cur"))
            fi ;;
        completion) COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -o default -F _skiff skiff
`;
}

/** completionCommand needs the command names, so it is built by the registry. */
export function completionCommand(names: () => string[]): Command {
  return {
    name: 'completion',
    summary: 'Output shell completion code for bash',
    async run(f, args) {
      if (args[0] !== 'bash') throw new UserError(`completion: unsupported shell "${args[0] ?? ''}" (supported: bash)`);
      f.io.stdout.write(bashCompletion(names()));
      return 0;
    },
  };
}
