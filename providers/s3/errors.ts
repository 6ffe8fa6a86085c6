// Turns SDK errors into one readable line, and tells permanent failures (no point retrying the
// next asset either) from transient ones. Never includes credentials: only codes, bucket, key.
// No value import of the AWS SDK here: the CLI reports errors with this module, and a command
// that never talks to S3 (--help, policy, a run that finds its lock held) must not load the SDK.

/** What signature.ts found a SignatureDoesNotMatch to mean. */
export type SignatureCause = "secret" | "canonicalization";

/** Where signature.ts keeps its verdict on the error, for describeS3Error. */
export const SIGNATURE_CAUSE = Symbol("signatureCause");

const PERMANENT = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "NoSuchBucket",
  "AllAccessDisabled",
  "InvalidBucketName",
  "PermanentRedirect",
  "AuthorizationHeaderMalformed",
  "AccountProblem",
  "CredentialsProviderError",
]);

const SIGNATURE: Record<SignatureCause | "unknown", string> = {
  secret: "the secret access key is wrong (a plain ListBuckets request with it was refused the same way)",
  canonicalization:
    "the endpoint checked the signature against a different request than the one sent (the key is " +
    "right: a plain request with it was accepted); something between rewrites the path or query, " +
    "e.g. a proxy, or a store that wants force_path_style set the other way",
  unknown:
    "the secret access key is wrong, or the endpoint checked the signature against a different " +
    "request than the one sent (a proxy or store rewriting the path)",
};

// A checksum the endpoint computed over the body it received differs from the one sent with it.
const BODY_CHANGED =
  "the endpoint received a different body than was sent: something between changed it (a proxy), " +
  "or the store does not understand the upload's encoding (aws-chunked)";

const HINTS: Record<string, string> = {
  BadDigest: BODY_CHANGED,
  XAmzContentSHA256Mismatch: BODY_CHANGED,
  InvalidDigest: BODY_CHANGED,
  InvalidAccessKeyId: "the access key id is unknown to this endpoint",
  AccessDenied: "the credentials are not allowed to do this (check the IAM policy)",
  NoSuchBucket: "the bucket does not exist",
  PreconditionFailed:
    "an object already exists at that key, and the create-only upload (If-None-Match: *) was refused rather than overwrite it",
  PermanentRedirect: "the bucket is in another region",
  CredentialsProviderError:
    "no operator credentials found in the AWS chain (AWS_ACCESS_KEY_ID/AWS_PROFILE/instance role)",
};

export interface S3Failure {
  message: string;
  /** Same request would fail again for every object: stop the run instead of hammering the endpoint. */
  permanent: boolean;
  /** A timeout, after the retries: no connection at all, or a connection that went silent. */
  timeout?: "connect" | "idle";
}

/** True for an error that came out of an S3 call (the SDK marks them with $metadata), not a local one. */
export function isS3Error(err: unknown): boolean {
  return typeof err === "object" && err !== null && "$metadata" in err;
}

/** The HTTP status of an S3 call's failure, if it got an answer. */
export function httpStatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** How many attempts the SDK made before this failure (1 when it did not retry). */
export function attemptsOf(err: unknown): number {
  return (err as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
}

/** One line for any failure: an S3 call's described as such, anything else by its own message. */
export function s3ErrorMessage(err: unknown, bucket?: string): string {
  return isS3Error(err) ? describeS3Error(err, bucket).message : ((err as Error)?.message ?? String(err));
}

/** Describes an error thrown by an S3 call in one line. */
export function describeS3Error(err: unknown, bucket?: string): S3Failure {
  const e = err as { name?: string; Code?: string; message?: string; code?: string };
  const code = e?.Code ?? e?.name ?? "Error";
  const status = httpStatusOf(err);
  if (e?.code === "ECONNREFUSED" || e?.code === "ENOTFOUND" || /ECONNREFUSED|ENOTFOUND/.test(String(e?.message))) {
    return { message: `cannot reach the S3 endpoint (${e.code ?? e.message})`, permanent: true };
  }
  if (code === "TimeoutError") {
    // Every attempt timed out: the next object would wait just as long, so the run stops.
    const connect = /establish a connection/.test(String(e.message));
    return {
      message: connect
        ? `cannot connect to the S3 endpoint (no connection within timeouts.connect, on every retry)`
        : `the S3 endpoint stopped answering (no data within timeouts.idle, on every retry)`,
      permanent: true,
      timeout: connect ? "connect" : "idle",
    };
  }
  const cause = (err as Record<symbol, SignatureCause | undefined>)?.[SIGNATURE_CAUSE];
  const hint = code === "SignatureDoesNotMatch" ? SIGNATURE[cause ?? "unknown"] : HINTS[code];
  const where = bucket ? ` (bucket ${bucket})` : "";
  const statusText = status ? ` HTTP ${status}` : "";
  const detail = hint ?? (e?.message && e.message !== code ? e.message.split("\n")[0] : "");
  return {
    message: `S3 ${code}${statusText}${where}${detail ? `: ${detail}` : ""}`,
    permanent: PERMANENT.has(code) || status === 403,
  };
}
