#include "block_source.h"

#include "ipfs_kit/multiformats/multihash.h"

namespace ipfs_kit::gateway {

using multiformats::Cid;

BlockSource::BlockSource(const StoreFactory* factory, const GatewayOptions* options, Cid root)
    : factory_(factory), options_(options), root_(std::move(root)) {}

Status BlockSource::Check(const Cid& cid, const Bytes& data, bool verify) const {
  if (data.size() > options_->max_block_size) {
    return Status::Corruption("block " + cid.ToString() + " is " + std::to_string(data.size()) +
                              " bytes, over the " + std::to_string(options_->max_block_size) +
                              "-byte limit");
  }
  if (!verify) return Status::Ok();
  auto ok = multiformats::VerifyMultihash(cid.hash(), data);
  if (!ok.ok()) return ok.status().WithContext("block " + cid.ToString());
  if (!*ok) return Status::Corruption("block " + cid.ToString() + " does not match its hash");
  return Status::Ok();
}

Result<Bytes> BlockSource::GetLocal(const GatewayOptions& options, const Cid& cid) {
  if (cid.hash().code == multiformats::kIdentity) return cid.hash().digest;
  if (options.local == nullptr) return Status::NotFound("no local store");
  return options.local->Get(cid);
}

Result<Bytes> BlockSource::Get(const Cid& cid) {
  if (cid.hash().code == multiformats::kIdentity) return cid.hash().digest;
  if (options_->local != nullptr) {
    auto here = options_->local->Get(cid);
    if (here.ok()) {
      RETURN_IF_ERROR(Check(cid, *here, options_->hash_on_read));
      return here;
    }
    if (here.status().code() != StatusCode::kNotFound) return here.status();
  }
  if (!store_tried_) {
    store_tried_ = true;
    if (factory_ == nullptr || !*factory_)
      return Status::NotFound("block " + cid.ToString() + " is not in the local store");
    auto made = (*factory_)(root_);
    if (made.ok()) {
      store_ = std::move(made).value();
    } else {
      store_error_ = made.status();
    }
  }
  if (!store_) return store_error_.ok() ? Status::NotFound("no store") : store_error_;
  ASSIGN_OR_RETURN(Bytes data, store_->Get(cid));
  RETURN_IF_ERROR(Check(cid, data, true));
  return data;
}

}  // namespace ipfs_kit::gateway
