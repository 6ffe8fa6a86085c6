// The commands of shadow-utils (useradd, usermod, userdel) as argv arrays, built from data.

export interface AccountSpec {
  uid?: number;
  group?: string;
  groups?: string[];
  home?: string;
  shell?: string;
  system?: boolean;
  manage_home?: boolean;
  comment?: string;
}

export function useraddArgv(name: string, p: AccountSpec): string[] {
  return [
    "useradd",
    ...(p.system ? ["--system"] : []),
    ...(p.manage_home ? ["--create-home"] : ["--no-create-home"]),
    ...opt("--uid", p.uid),
    ...opt("--gid", p.group),
    ...opt("--groups", p.groups?.length ? p.groups.join(",") : undefined),
    ...opt("--home-dir", p.home),
    ...opt("--shell", p.shell),
    ...opt("--comment", p.comment),
    name,
  ];
}

/** usermod for just the properties given in `changes`; groups are appended, never replaced. */
export function usermodArgv(name: string, changes: AccountSpec, moveHome: boolean): string[] {
  return [
    "usermod",
    ...opt("--uid", changes.uid),
    ...opt("--gid", changes.group),
    ...(changes.groups?.length ? ["--append", "--groups", changes.groups.join(",")] : []),
    ...opt("--home", changes.home),
    ...(changes.home !== undefined && moveHome ? ["--move-home"] : []),
    ...opt("--shell", changes.shell),
    ...opt("--comment", changes.comment),
    name,
  ];
}

export function userdelArgv(name: string, removeHome: boolean): string[] {
  return ["userdel", ...(removeHome ? ["--remove"] : []), name];
}

function opt(flag: string, value: string | number | undefined): string[] {
  return value === undefined ? [] : [flag, String(value)];
}
