// Turns SDK errors into one readable line, and tells permanent failures (no point retrying the
// next asset either) from transient ones. Never includes credentials: only codes, bucket, key.

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

const HINTS: Record<string, string> = {
  SignatureDoesNotMatch: "the secret access key is wrong",
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
}

/** Describes an error thrown by an S3 call in one line. */
export function describeS3Error(err: unknown, bucket?: string): S3Failure {
  const e = err as {
    name?: string;
    Code?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const code = e?.Code ?? e?.name ?? "Error";
  const status = e?.$metadata?.httpStatusCode;
  if (e?.code === "ECONNREFUSED" || e?.code === "ENOTFOUND" || /ECONNREFUSED|ENOTFOUND/.test(String(e?.message))) {
    return { message: `cannot reach the S3 endpoint (${e.code ?? e.message})`, permanent: true };
  }
  const hint = HINTS[code];
  const where = bucket ? ` (bucket ${bucket})` : "";
  const statusText = status ? ` HTTP ${status}` : "";
  const detail = hint ?? (e?.message && e.message !== code ? e.message.split("\n")[0] : "");
  return {
    message: `S3 ${code}${statusText}${where}${detail ? `: ${detail}` : ""}`,
    permanent: PERMANENT.has(code) || status === 403,
  };
}
