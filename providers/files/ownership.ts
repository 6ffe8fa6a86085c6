// Owner, group and mode of a path: read as names, compared, and set, for every resource that
// manages a file or directory.
import type { Stats } from "node:fs";
import { PreconditionError } from "../../engine/errors.js";
import type { Host, HostView } from "../../engine/host.js";
import { propertyChange } from "../../engine/changes.js";
import type { Change, LoadContext } from "../../engine/resource.js";
import { modeString } from "../../engine/stats.js";
import { findAccount, findGroup } from "../users/accounts.js";

export interface Ownership {
  owner?: string;
  group?: string;
  /** Four octal digits, "0750". */
  mode?: string;
}

/** Desired ownership with the ids it resolves to (undefined where why-run assumes a future account). */
export interface DesiredOwnership extends Ownership {
  uid?: number;
  gid?: number;
}

const normalizeMode = (mode: string): string => mode.padStart(4, "0");

/** The ownership of an existing path, as names. */
export async function readOwnership(ctx: LoadContext, st: Stats): Promise<Required<Ownership>> {
  const [account, group] = await Promise.all([findAccount(ctx.host, st.uid), findGroup(ctx.host, st.gid)]);
  return {
    owner: account?.name ?? String(st.uid),
    group: group?.name ?? String(st.gid),
    mode: modeString(st),
  };
}

/**
 * Resolves owner and group names to ids; a name that does not resolve is reported missing, and
 * its id left undefined where the engine lets why-run assume it.
 */
export async function resolveOwnership(ctx: LoadContext, want: Ownership): Promise<DesiredOwnership> {
  const out: DesiredOwnership = { ...want, mode: want.mode && normalizeMode(want.mode) };
  if (want.owner !== undefined) {
    out.uid = (await findAccount(ctx.host, want.owner))?.uid;
    if (out.uid === undefined) ctx.missing(`user:${want.owner}`);
  }
  if (want.group !== undefined) {
    out.gid = (await findGroup(ctx.host, want.group))?.gid;
    if (out.gid === undefined) ctx.missing(`group:${want.group}`);
  }
  return out;
}

/** Sets one of owner, group or mode of a path to the desired value. */
export interface OwnershipOp {
  kind: "own";
  property: keyof Ownership;
  value: string;
}

/**
 * Changes for each given property that differs ("change mode from '0644' to '0600'"); `of` names
 * the path when the resource manages several ("change mode of /x from ...").
 */
export function ownershipChanges(
  current: Ownership | undefined,
  desired: Ownership,
  of?: string,
): Change<OwnershipOp>[] {
  return OWNERSHIP.filter((key) => desired[key] !== undefined && current?.[key] !== desired[key]).map((key) =>
    propertyChange(
      "ownership",
      { property: key, label: of ? `${key} of ${of}` : key, was: current?.[key], want: desired[key] },
      { kind: "own", property: key, value: desired[key]! },
    ),
  );
}

const OWNERSHIP = ["owner", "group", "mode"] as const;

/** The ownership the operations set, for a path made or written anew with it. */
export function ownershipOf(ops: readonly unknown[]): Ownership {
  return Object.fromEntries(ops.filter(isOwnershipOp).map((op) => [op.property, op.value]));
}

const isOwnershipOp = (op: unknown): op is OwnershipOp => (op as OwnershipOp | undefined)?.kind === "own";

/**
 * The uid and gid of the desired owner and group (else of `fallback`'s), undefined where neither
 * names one. Looked up again when why-run had to assume them; a name that still does not exist fails.
 */
export async function ownerIds(
  host: HostView,
  path: string,
  desired: DesiredOwnership,
  fallback: Ownership = {},
): Promise<{ uid?: number; gid?: number }> {
  const owner = desired.owner ?? fallback.owner;
  const group = desired.group ?? fallback.group;
  const uid = owner === undefined ? undefined : (desired.uid ?? (await findAccount(host, owner))?.uid);
  const gid = group === undefined ? undefined : (desired.gid ?? (await findGroup(host, group))?.gid);
  if ((owner !== undefined && uid === undefined) || (group !== undefined && gid === undefined))
    throw new PreconditionError(`owner or group of ${path} does not exist`);
  return { uid, gid };
}

/**
 * Sets those of a directory's owner, group and mode that `set` names (a file gets them by being
 * written anew); ids come from `desired`, which why-run may have left unresolved.
 */
export async function applyOwnership(host: Host, path: string, desired: DesiredOwnership, set: Ownership) {
  const { owner, group, mode } = set;
  if (owner !== undefined || group !== undefined) {
    const { uid, gid } = await ownerIds(host, path, { ...desired, owner, group });
    await host.chown(path, uid ?? -1, gid ?? -1);
  }
  if (mode !== undefined) await host.chmod(path, parseInt(mode, 8));
}
