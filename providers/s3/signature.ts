// SignatureDoesNotMatch has two causes that read the same: a wrong secret key, or an endpoint (or
// a proxy before it) that checked a different request than the client signed: a rewritten path,
// a trailing slash dropped, a query re-encoded. They need opposite fixes, so on that error the
// client asks once more with the plainest request there is (ListBuckets, `GET /`, which every
// store canonicalizes alike): refused the same way, the secret is wrong; answered in any other
// way (even AccessDenied, which the job's write-only key gets), the key is right.
import { ListBucketsCommand, type S3Client } from "@aws-sdk/client-s3";
import { httpStatusOf, SIGNATURE_CAUSE, type SignatureCause } from "./errors.js";

const PROBE = "ListBucketsCommand";

/** Adds the diagnosis to client: a SignatureDoesNotMatch it throws carries its cause. */
export function diagnoseSignatureErrors(client: S3Client): S3Client {
  let verdict: Promise<SignatureCause | undefined> | undefined;
  const probe = async (): Promise<SignatureCause | undefined> => {
    try {
      await client.send(new ListBucketsCommand({}));
      return "canonicalization";
    } catch (err) {
      if ((err as { name?: string }).name === "SignatureDoesNotMatch") return "secret";
      // An answer from the endpoint (403 AccessDenied included) means the signature held.
      return httpStatusOf(err) ? "canonicalization" : undefined;
    }
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        if ((err as { name?: string })?.name === "SignatureDoesNotMatch" && context.commandName !== PROBE) {
          // One probe per client, however many requests failed: the answer is the same for all.
          verdict ??= probe();
          (err as Record<symbol, unknown>)[SIGNATURE_CAUSE] = await verdict;
        }
        throw err;
      }
    },
    { step: "initialize", name: "diagnoseSignatureMismatch" },
  );
  return client;
}
