// manifest.ts: reading manifests from files, directories (-R) and stdin. Every object keeps
// where it came from (file and 1-based document number) so errors can say exactly which
// document of which file is wrong; a document that does not parse is reported, not skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import yaml from 'js-yaml';
import type { KubeObject } from '../api/meta.js';
import { readStream, UserError, type CliIO } from './io.js';

/** ManifestDoc is one object of a manifest file, or the reason it could not be read. */
export interface ManifestDoc {
  /** source is the file as the user named it ("STDIN" for -). */
  source: string;
  /** document is the 1-based position of the YAML document in the file. */
  document: number;
  object?: KubeObject;
  error?: string;
}

/** ManifestFile is the documents of one file. */
export interface ManifestFile {
  source: string;
  docs: ManifestDoc[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** manifestFiles expands -f arguments: files as given, directories to their manifests (sorted; nested with -R). */
export function manifestFiles(args: string[], recursive: boolean, cwd: string): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-') {
      out.push('-');
      continue;
    }
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UserError(`the path "${arg}" does not exist`);
    }
    if (!stat.isDirectory()) {
      out.push(arg);
      continue;
    }
    const walk = (dir: string, shown: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        const display = path.join(shown, entry.name);
        if (entry.isDirectory()) {
          if (recursive) walk(full, display);
        } else if (EXTENSIONS.has(path.extname(entry.name))) out.push(display);
      }
    };
    walk(abs, arg);
  }
  return out;
}

/** readManifests reads every file (stdin once for "-") into documents. */
export async function readManifests(args: string[], recursive: boolean, io: Pick<CliIO, 'stdin' | 'cwd'>): Promise<ManifestFile[]> {
  if (args.length === 0) throw new UserError('must specify one of -f and -k');
  const cwd = io.cwd ?? process.cwd();
  const files: ManifestFile[] = [];
  for (const file of manifestFiles(args, recursive, cwd)) {
    const text = file === '-' ? await readStream(io.stdin) : fs.readFileSync(path.resolve(cwd, file), 'utf8');
    const source = file === '-' ? 'STDIN' : file;
    files.push({ source, docs: parseManifest(text, source) });
  }
  return files;
}

/** splitDocuments cuts YAML text at "---" lines, keeping each document's first line number. */
export function splitDocuments(text: string): { text: string; line: number }[] {
  const lines = text.split(/\r?\n/);
  const docs: { text: string; line: number }[] = [];
  let start = 0;
  let current: string[] = [];
  lines.forEach((l, i) => {
    if (/^---(\s.*)?$/.test(l)) {
      docs.push({ text: current.join('\n'), line: start + 1 });
      current = [];
      start = i + 1;
    } else current.push(l);
  });
  docs.push({ text: current.join('\n'), line: start + 1 });
  // A leading "---" leaves an empty first document that is not one the user wrote.
  if (docs.length > 1 && docs[0].text.trim() === '') docs.shift();
  return docs;
}

/** parseManifest parses one file's text: YAML documents (or JSON), Lists expanded. */
export function parseManifest(text: string, source: string): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  splitDocuments(text).forEach((d, i) => {
    const document = i + 1;
    if (isBlank(d.text)) return;
    let value: unknown;
    try {
      value = yaml.load(d.text, { schema: yaml.CORE_SCHEMA });
    } catch (err) {
      const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
      const where = e.mark ? ` at line ${d.line + e.mark.line}, column ${e.mark.column + 1}` : '';
      out.push({ source, document, error: `error converting YAML to JSON: ${e.reason ?? e.message.split('\n')[0]}${where}` });
      return;
    }
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push({ source, document, error: `expected a mapping (an object with apiVersion and kind), got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}` });
      return;
    }
    const obj = value as KubeObject;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray((obj as { items?: unknown }).items)) {
      for (const item of (obj as unknown as { items: unknown[] }).items) out.push(docFor(item, source, document));
      return;
    }
    out.push(docFor(obj, source, document));
  });
  return out;
}

function docFor(value: unknown, source: string, document: number): ManifestDoc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { source, document, error: 'expected a mapping (an object with apiVersion and kind)' };
  return { source, document, object: value as KubeObject };
}

function isBlank(text: string): boolean {
  return text.split('\n').every((l) => /^\s*(#.*)?$/.test(l));
}

/** describeDoc names a document in messages: `web.yaml (document 2)`. */
export function describeDoc(doc: { source: string; document: number }): string {
  return `${doc.source} (document ${doc.document})`;
}
