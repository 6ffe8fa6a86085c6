// S3 clients for the backup job. Two kinds on purpose: the job's own write-only credentials come
// from its config; anything needing more (restore, verify, lifecycle --apply) uses the operator's
// credentials from the standard AWS chain and never reads the job's keys.
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { diagnoseSignatureErrors } from "./signature.js";

/** Where the bucket lives; shared by both kinds of client. */
export interface S3Location {
  bucket: string;
  region: string;
  endpoint?: string;
  force_path_style?: boolean;
}

/** Seconds allowed to open a connection, and for a connection to stay silent mid-request. */
export interface S3Timeouts {
  connect: number;
  idle: number;
}

/** Used when the caller gives none: without them the SDK would wait on a silent socket forever. */
export const DEFAULT_S3_TIMEOUTS: S3Timeouts = { connect: 10, idle: 120 };

export interface S3JobCredentials {
  access_key_id: string;
  secret_access_key: string;
}

function baseConfig(loc: S3Location, t: S3Timeouts): S3ClientConfig {
  return {
    region: loc.region,
    ...(loc.endpoint ? { endpoint: loc.endpoint } : {}),
    forcePathStyle: loc.force_path_style ?? false,
    // With the SDK default (WHEN_SUPPORTED) a streamed body is sent aws-chunked with a trailing
    // checksum, which S3-compatible stores (MinIO, R2, s3rver) reject or store as data.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    // Standard mode: exponential backoff with jitter for throttling, 5xx and network errors.
    retryMode: "standard",
    maxAttempts: 4,
    // A timed-out request is retried like any network error; socketTimeout is inactivity, not
    // total time, so a large part on a slow link is never cut while bytes still move.
    requestHandler: { connectionTimeout: t.connect * 1000, socketTimeout: t.idle * 1000 },
  };
}

/** A client that signs with the job's own (write-only) keys from its config. */
export function jobS3Client(loc: S3Location, creds: S3JobCredentials, t = DEFAULT_S3_TIMEOUTS): S3Client {
  return diagnoseSignatureErrors(
    new S3Client({
      ...baseConfig(loc, t),
      credentials: { accessKeyId: creds.access_key_id, secretAccessKey: creds.secret_access_key },
    }),
  );
}

/** A client with the operator's credentials from the AWS default chain (env, AWS_PROFILE, instance role). */
export function operatorS3Client(loc: S3Location, t = DEFAULT_S3_TIMEOUTS): S3Client {
  return diagnoseSignatureErrors(new S3Client(baseConfig(loc, t)));
}
