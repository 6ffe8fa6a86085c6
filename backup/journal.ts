// The multipart uploads this backup started and has not yet seen completed or aborted: an upload
// is recorded as soon as S3 gives its id, before any part is sent, and dropped once it is
// completed or aborted. A run that is killed cannot abort its upload, so the next one finds it
// here and reports it. The record keeps the key masked (backup/keys.ts): a full key is what a
// compromised host would need to overwrite that object once completed, so no file on the host
// holds one. Without the key nobody can abort the upload, and the job's key may not list uploads
// either; the lifecycle rule's AbortIncompleteMultipartUpload removes it after a day.
import { join } from "node:path";
import { maskKeys } from "./keys.js";
import { writeFileAtomic, type System } from "./system.js";

export interface StartedUpload {
  /** The object key with its random part cut (`shop--…ab12.tar.zst`). */
  key: string;
  upload_id: string;
  started_at: string;
}

export class UploadJournal {
  readonly path: string;
  /** Why the journal could not be saved, if it could not (a full disk); the run reports it. */
  problem?: string;

  constructor(
    private readonly sys: System,
    stateDir: string,
    name: string,
  ) {
    this.path = join(stateDir, `s3-backup-${name}.uploads.json`);
  }

  /** The uploads left by earlier runs (or this one), oldest first. */
  list(): StartedUpload[] {
    try {
      const doc = JSON.parse(this.sys.fs.readFileSync(this.path, "utf8")) as { uploads?: StartedUpload[] };
      return Array.isArray(doc.uploads) ? doc.uploads : [];
    } catch {
      return [];
    }
  }

  /** Records an upload S3 has just created, under its masked key. */
  started(key: string, uploadId: string): void {
    this.save([...this.list(), { key: maskKeys(key), upload_id: uploadId, started_at: this.sys.now().toISOString() }]);
  }

  /** Forgets every upload recorded so far (the caller has reported them). */
  clear(): void {
    this.save([]);
  }

  /** Forgets an upload that was completed or aborted. */
  settled(uploadId: string): void {
    const rest = this.list().filter((u) => u.upload_id !== uploadId);
    if (rest.length === this.list().length) return;
    this.save(rest);
  }

  /** Writes the list, or removes the file when it is empty, so a clean run leaves no journal behind. */
  private save(uploads: StartedUpload[]): void {
    try {
      if (uploads.length === 0) this.sys.fs.rmSync(this.path, { force: true });
      else writeFileAtomic(this.sys, this.path, `${JSON.stringify({ uploads }, null, 2)}\n`);
    } catch (err) {
      this.problem = `cannot save ${this.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }
}
