// Internal: where one request's blocks come from (see gateway.h). The local
// store first, then the store the factory makes for the request's root, made
// only when a block is not local. Blocks from the factory's store are always
// hashed against their CID; local ones only with hash_on_read. Identity CIDs
// are answered from the CID itself.
//
// One BlockSource serves one request on one thread at a time.
#pragma once

#include <memory>

#include "ipfs_kit/gateway/gateway.h"

namespace ipfs_kit::gateway {

class BlockSource {
 public:
  BlockSource(const StoreFactory* factory, const GatewayOptions* options, multiformats::Cid root);

  // The block's bytes, checked against the CID as above. kNotFound when no
  // store has it; kCorruption when it does not match its CID or is larger
  // than max_block_size; the factory's errors otherwise.
  Result<Bytes> Get(const multiformats::Cid& cid);

  // The block's bytes from the local store only, as a string ready to be a
  // response body (the raw-block fast path), never verified: kNotFound when
  // absent or when there is no local store. A flatfs store is read directly
  // into the string (one copy from the page cache instead of three).
  static Result<std::string> GetLocal(const GatewayOptions& options, const multiformats::Cid& cid);

 private:
  Status Check(const multiformats::Cid& cid, const Bytes& data, bool verify) const;
  const StoreFactory* factory_;
  const GatewayOptions* options_;
  multiformats::Cid root_;
  std::unique_ptr<blockstore::Blockstore> store_;
  Status store_error_;
  bool store_tried_ = false;
};

}  // namespace ipfs_kit::gateway
