// volume-validation.ts: validation of pod volumes (core/validation ValidateVolumes).
import { FieldPath, forbidden, invalid, notSupported, required, duplicate, type FieldError } from '../field.js';
import { tryParseQuantity } from '../quantity.js';
import { isConfigMapKey, isDNS1123Label, messagesToErrors, validateDNSSubdomainField } from '../validation.js';
import { UNSUPPORTED_VOLUME_SOURCES, type DownwardAPIVolumeFile, type KeyToPath, type Volume } from './pod-types.js';

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'secret', 'configMap', 'projected', 'downwardAPI', 'persistentVolumeClaim', 'nfs', 'image'] as const;
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const MAX_MODE = 0o777;

/** validateLocalPath checks a relative path inside a volume: not absolute, no "..". */
export function validateLocalPath(path: string | undefined, fld: FieldPath): FieldError[] {
  if (!path) return [required(fld)];
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(invalid(fld, path, 'must be a relative path'));
  if (path.split('/').includes('..')) errs.push(invalid(fld, path, "must not contain '..'"));
  if (path.startsWith('..')) errs.push(invalid(fld, path, "must not start with '..'"));
  return errs;
}

function validateMode(mode: number | undefined, fld: FieldPath): FieldError[] {
  if (mode === undefined) return [];
  return mode < 0 || mode > MAX_MODE ? [invalid(fld, mode, 'must be a number between 0 and 0777 (octal), both inclusive')] : [];
}

function validateKeyToPaths(items: KeyToPath[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((item, i) => {
    const p = fld.index(i);
    if (!item.key) errs.push(required(p.child('key')));
    else errs.push(...messagesToErrors(p.child('key'), item.key, isConfigMapKey(item.key)));
    errs.push(...validateLocalPath(item.path, p.child('path')));
    errs.push(...validateMode(item.mode, p.child('mode')));
  });
  return errs;
}

function validateDownwardFiles(items: DownwardAPIVolumeFile[] | undefined, fld: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((item, i) => {
    const p = fld.index(i);
    errs.push(...validateLocalPath(item.path, p.child('path')));
    errs.push(...validateMode(item.mode, p.child('mode')));
    if (item.fieldRef && item.resourceFieldRef) errs.push(invalid(p, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    else if (!item.fieldRef && !item.resourceFieldRef) errs.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    if (item.fieldRef && !item.fieldRef.fieldPath) errs.push(required(p.child('fieldRef').child('fieldPath')));
  });
  return errs;
}

function validateSource(v: Volume, p: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (v.hostPath) {
    const hp = p.child('hostPath');
    if (!v.hostPath.path) errs.push(required(hp.child('path')));
    else if (v.hostPath.path.split('/').includes('..')) errs.push(invalid(hp.child('path'), v.hostPath.path, "must not contain '..'"));
    if (v.hostPath.type !== undefined && !HOST_PATH_TYPES.includes(v.hostPath.type)) errs.push(notSupported(hp.child('type'), v.hostPath.type, HOST_PATH_TYPES));
  }
  if (v.emptyDir) {
    const ed = p.child('emptyDir');
    if (v.emptyDir.medium !== undefined && !['', 'Memory', 'HugePages'].includes(v.emptyDir.medium)) {
      errs.push(notSupported(ed.child('medium'), v.emptyDir.medium, ['', 'Memory', 'HugePages']));
    }
    if (v.emptyDir.sizeLimit !== undefined) {
      const q = tryParseQuantity(v.emptyDir.sizeLimit);
      if (!q) errs.push(invalid(ed.child('sizeLimit'), v.emptyDir.sizeLimit, 'must be a valid quantity'));
      else if (q.nanos < 0n) errs.push(invalid(ed.child('sizeLimit'), v.emptyDir.sizeLimit, 'must be greater than or equal to 0'));
    }
  }
  if (v.secret) {
    const s = p.child('secret');
    errs.push(...validateDNSSubdomainField(v.secret.secretName, s.child('secretName')));
    errs.push(...validateKeyToPaths(v.secret.items, s.child('items')));
    errs.push(...validateMode(v.secret.defaultMode, s.child('defaultMode')));
  }
  if (v.configMap) {
    const c = p.child('configMap');
    errs.push(...validateDNSSubdomainField(v.configMap.name, c.child('name')));
    errs.push(...validateKeyToPaths(v.configMap.items, c.child('items')));
    errs.push(...validateMode(v.configMap.defaultMode, c.child('defaultMode')));
  }
  if (v.downwardAPI) {
    errs.push(...validateDownwardFiles(v.downwardAPI.items, p.child('downwardAPI').child('items')));
    errs.push(...validateMode(v.downwardAPI.defaultMode, p.child('downwardAPI').child('defaultMode')));
  }
  if (v.projected) errs.push(...validateProjected(v, p.child('projected')));
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(p.child('persistentVolumeClaim').child('claimName')));
  if (v.nfs) {
    if (!v.nfs.server) errs.push(required(p.child('nfs').child('server')));
    if (!v.nfs.path) errs.push(required(p.child('nfs').child('path')));
    else if (!v.nfs.path.startsWith('/')) errs.push(invalid(p.child('nfs').child('path'), v.nfs.path, 'must be an absolute path'));
  }
  if (v.image && !v.image.reference) errs.push(required(p.child('image').child('reference')));
  return errs;
}

function validateProjected(v: Volume, p: FieldPath): FieldError[] {
  const errs = validateMode(v.projected!.defaultMode, p.child('defaultMode'));
  const paths = new Set<string>();
  (v.projected!.sources ?? []).forEach((s, i) => {
    const sp = p.child('sources').index(i);
    const set = (['secret', 'configMap', 'downwardAPI', 'serviceAccountToken', 'clusterTrustBundle', 'podCertificate'] as const).filter((k) => s[k] !== undefined);
    for (const k of ['clusterTrustBundle', 'podCertificate'] as const) {
      if (s[k] !== undefined) errs.push(forbidden(sp.child(k), 'this projection is not supported by Skiff'));
    }
    if (set.length === 0) errs.push(required(sp, 'must specify exactly one volume projection'));
    if (set.length > 1) errs.push(forbidden(sp.child(set[1]), 'may not specify more than 1 volume type per source'));
    if (s.secret) errs.push(...validateKeyToPaths(s.secret.items, sp.child('secret').child('items')));
    if (s.configMap) errs.push(...validateKeyToPaths(s.configMap.items, sp.child('configMap').child('items')));
    if (s.downwardAPI) errs.push(...validateDownwardFiles(s.downwardAPI.items, sp.child('downwardAPI').child('items')));
    if (s.serviceAccountToken) {
      const t = sp.child('serviceAccountToken');
      errs.push(...validateLocalPath(s.serviceAccountToken.path, t.child('path')));
      const exp = s.serviceAccountToken.expirationSeconds;
      if (exp !== undefined && exp < 600) errs.push(invalid(t.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
    }
    const itemPaths = [
      ...(s.secret?.items ?? []).map((x) => x.path),
      ...(s.configMap?.items ?? []).map((x) => x.path),
      ...(s.downwardAPI?.items ?? []).map((x) => x.path),
      ...(s.serviceAccountToken ? [s.serviceAccountToken.path] : []),
    ];
    for (const ip of itemPaths) {
      if (ip && paths.has(ip)) errs.push(invalid(sp, ip, 'conflicting duplicate paths'));
      paths.add(ip);
    }
  });
  return errs;
}

/** validateVolumes checks names (DNS labels, unique) and that each volume has exactly one valid source. */
export function validateVolumes(volumes: Volume[] | undefined, fld: FieldPath): { errors: FieldError[]; names: Set<string> } {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = fld.index(i);
    if (!v.name) errors.push(required(p.child('name')));
    else {
      errors.push(...messagesToErrors(p.child('name'), v.name, isDNS1123Label(v.name)));
      if (names.has(v.name)) errors.push(duplicate(p.child('name'), v.name));
      names.add(v.name);
    }
    const unsupported = UNSUPPORTED_VOLUME_SOURCES.filter((s) => (v as unknown as Record<string, unknown>)[s] !== undefined);
    for (const s of unsupported) errors.push(forbidden(p.child(s), 'this volume type is not supported by Skiff'));
    const sources = [...VOLUME_SOURCES.filter((s) => v[s] !== undefined), ...unsupported];
    if (sources.length === 0) errors.push(required(p, 'must specify a volume type'));
    else if (sources.length > 1) errors.push(forbidden(p.child(sources[1]), 'may not specify more than 1 volume type'));
    errors.push(...validateSource(v, p));
  });
  return { errors, names };
}

