// libc.ts: glibc functions bound through koffi, for the syscalls Node does not offer. Each
// module declares its own table of C prototypes; bindLibc binds it on first use (importing a
// module on a machine without glibc still works), and errnoName/strerror describe failures.
import koffi from 'koffi';

let handle: ReturnType<typeof koffi.load> | undefined;

/**
 * bindLibc returns a getter for the functions of prototypes (name → C declaration, in koffi's
 * syntax), bound from libc.so.6 the first time the getter is called. T types the functions.
 */
export function bindLibc<T>(prototypes: { [K in keyof T]: string }): () => T {
  let bound: T | undefined;
  return () => {
    if (!bound) {
      handle ??= koffi.load('libc.so.6');
      const fns: Record<string, unknown> = {};
      for (const [name, prototype] of Object.entries<string>(prototypes)) fns[name] = handle.func(prototype);
      bound = fns as T;
    }
    return bound;
  };
}

const describe = bindLibc<{ strerror: (errnum: number) => string }>({ strerror: 'const char *strerror(int errnum)' });

/** errnoName names an errno value ("ENOENT" for 2) as Node's fs errors do in `code`. */
export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(koffi.os.errno)) if (value === errno) return name;
  return `E${errno}`;
}

/** strerror is libc's message for an errno value. */
export function strerror(errno: number): string {
  return describe().strerror(errno);
}

/** lastErrno is the errno left by the last koffi call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}
