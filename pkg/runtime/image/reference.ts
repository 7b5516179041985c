// reference.ts: image references normalized the way Docker does
// ("busybox" → "docker.io/library/busybox:latest").
import { ImageError } from './errors.js';

/** DEFAULT_DOMAIN is the registry used when a reference names none. */
export const DEFAULT_DOMAIN = 'docker.io';

/** Reference is a parsed, normalized image reference. */
export interface Reference {
  /** domain is the registry host, with port if any: "docker.io", "localhost:5000". */
  domain: string;
  /** path is the repository inside the registry: "library/busybox". */
  path: string;
  /** tag is set when the reference has one, or defaulted to "latest" when it has no digest. */
  tag?: string;
  /** digest is "sha256:…" when the reference pins one. */
  digest?: string;
}

const componentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;
const digestRe = /^sha256:[a-f0-9]{64}$/;
const domainRe = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;

/** parseReference parses and normalizes an image reference; it throws ImageError InvalidReference. */
export function parseReference(input: string): Reference {
  const invalid = (why: string) => new ImageError('InvalidReference', `invalid image reference "${input}": ${why}`);
  let rest = input.trim();
  if (rest === '') throw invalid('empty');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestRe.test(digest)) throw invalid('bad digest');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagRe.test(tag)) throw invalid('bad tag');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!domainRe.test(domain)) throw invalid('bad registry host');
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path === '' || !path.split('/').every((c) => componentRe.test(c))) throw invalid('bad repository name');
  if (domain.length + 1 + path.length > 255) throw invalid('name too long');
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { domain, path, tag, digest };
}

/** repositoryName is "domain/path": the name without tag or digest. */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** formatReference renders a reference in full normalized form ("docker.io/library/busybox:latest"). */
export function formatReference(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** normalizeReference parses and formats in one step. */
export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

/** isDigest tells whether s is a full "sha256:<hex>" digest. */
export function isDigest(s: string): boolean {
  return digestRe.test(s);
}
