// Starts the services the suite shares (private MariaDB, S3 endpoint on loopback) once per run,
// and hands their coordinates to tests: inject("mariadb") -> {socket}, inject("s3") -> S3Info.
import type { TestProject } from "vitest/node";
import { startMariaDb, type MariaDbInfo } from "./mariadb.js";
import { startS3Server, type S3Info } from "./s3-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    mariadb: MariaDbInfo;
    s3: S3Info;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [db, s3] = await Promise.all([startMariaDb(), startS3Server()]);
  project.provide("mariadb", db.info);
  project.provide("s3", s3.info);
  return async () => {
    await Promise.all([db.stop(), s3.stop()]);
  };
}
