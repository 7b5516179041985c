// user.ts: resolve the uid/gid a container runs as, from the image's User and the pod's
// security context, the way kubelet + containerd do (names looked up in the image's /etc files).

/** ContainerUser is the resolved identity of the container process. */
export interface ContainerUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** UserRequest is everything that can choose the user. */
export interface UserRequest {
  /** imageUser: OCI config User: "", "uid", "uid:gid", "name", "name:group". */
  imageUser?: string;
  runAsUser?: number;
  runAsGroup?: number;
  runAsUsername?: string;
  supplementalGroups?: number[];
  /** passwd and group: contents of the image's /etc/passwd and /etc/group ("" when missing). */
  passwd: string;
  group: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** parsePasswd parses /etc/passwd text. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 4 && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3])) out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]) });
  }
  return out;
}

/** parseGroup parses /etc/group text. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && /^\d+$/.test(f[2])) out.push({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) });
  }
  return out;
}

/** resolveUser picks uid, gid and supplementary groups; it throws if a name is unknown. */
export function resolveUser(req: UserRequest): ContainerUser {
  const users = parsePasswd(req.passwd);
  const groups = parseGroup(req.group);
  let uid = 0;
  let gid: number | undefined;
  let userName: string | undefined;

  const [userPart, groupPart] = (req.runAsUsername || req.imageUser || '').split(':', 2);
  if (req.runAsUser !== undefined) {
    uid = req.runAsUser;
    userName = users.find((u) => u.uid === uid)?.name;
  } else if (userPart) {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      userName = users.find((u) => u.uid === uid)?.name;
    } else {
      const entry = users.find((u) => u.name === userPart);
      if (!entry) throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = entry.uid;
      userName = entry.name;
    }
  }
  if (req.runAsGroup !== undefined) {
    gid = req.runAsGroup;
  } else if (groupPart && req.runAsUser === undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const entry = groups.find((g) => g.name === groupPart);
      if (!entry) throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = entry.gid;
    }
  }
  gid ??= users.find((u) => u.uid === uid)?.gid ?? 0;

  const additional = new Set<number>();
  if (userName) for (const g of groups) if (g.members.includes(userName) && g.gid !== gid) additional.add(g.gid);
  for (const g of req.supplementalGroups ?? []) if (g !== gid) additional.add(g);
  return { uid, gid, additionalGids: [...additional] };
}
