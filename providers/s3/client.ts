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

export interface S3JobCredentials {
  access_key_id: string;
  secret_access_key: string;
}

function baseConfig(loc: S3Location): S3ClientConfig {
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
  };
}

/** A client that signs with the job's own (write-only) keys from its config. */
export function jobS3Client(loc: S3Location, creds: S3JobCredentials): S3Client {
  return diagnoseSignatureErrors(
    new S3Client({
      ...baseConfig(loc),
      credentials: { accessKeyId: creds.access_key_id, secretAccessKey: creds.secret_access_key },
    }),
  );
}

/** A client with the operator's credentials from the AWS default chain (env, AWS_PROFILE, instance role). */
export function operatorS3Client(loc: S3Location): S3Client {
  return diagnoseSignatureErrors(new S3Client(baseConfig(loc)));
}
