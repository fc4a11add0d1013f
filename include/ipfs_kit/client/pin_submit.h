// Submitting a pin the way `ipfs-kit add` does: to the running daemon, or,
// when no daemon answers, into the repository's spool (spool.h), which the
// daemon takes in when it starts. Nothing a user asked for is lost.
#pragma once

#include <string>

#include "ipfs_kit/base/status.h"

namespace ipfs_kit::client {

enum class PinSubmission { kSubmitted, kSpooled };
const char* PinSubmissionName(PinSubmission s);  // "queued", "spooled"

// `cid` is any CID text; it is sent as CIDv1. Errors other than
// "daemon unavailable" (a refusal by the daemon, a spool write failure) are
// returned as they are.
Result<PinSubmission> SubmitPinOrSpool(const std::string& repo_path, const std::string& cid,
                                       const std::string& name);

}  // namespace ipfs_kit::client
