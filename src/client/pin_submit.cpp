#include "ipfs_kit/client/pin_submit.h"

#include "ipfs_kit/client/daemon_client.h"
#include "ipfs_kit/client/spool.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::client {

const char* PinSubmissionName(PinSubmission s) {
  return s == PinSubmission::kSubmitted ? "queued" : "spooled";
}

Result<PinSubmission> SubmitPinOrSpool(const std::string& repo_path, const std::string& cid_text,
                                       const std::string& name) {
  ASSIGN_OR_RETURN(multiformats::Cid cid, multiformats::Cid::Parse(cid_text));
  std::string v1 = cid.ToV1().ToString();
  auto c = DaemonClient::ForRepo(repo_path);
  Status s = c.ok() ? c->AddPin(v1, name, 0, 0, {}).status() : c.status();
  if (s.ok()) return PinSubmission::kSubmitted;
  if (s.code() != StatusCode::kUnavailable) return s;
  SpooledPin p;
  p.cid = v1;
  p.name = name;
  RETURN_IF_ERROR(WriteSpool(repo_path, p).status());
  return PinSubmission::kSpooled;
}

}  // namespace ipfs_kit::client
