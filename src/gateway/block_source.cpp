#include "block_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ipfs_kit/blockstore/flatfs_blockstore.h"
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

Result<std::string> BlockSource::GetLocal(const GatewayOptions& options, const Cid& cid) {
  if (cid.hash().code == multiformats::kIdentity) return std::string(AsString(cid.hash().digest));
  if (options.local == nullptr) return Status::NotFound("no local store");
  if (auto* flatfs = dynamic_cast<blockstore::FlatfsBlockstore*>(options.local)) {
    // The layout is documented (docs/formats/blockstore.md): a block is one
    // file, written by rename, so a reader sees all of it or nothing.
    std::string path = flatfs->BlockPath(cid);
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound("block not local");
      return Status::IOError("cannot open block " + cid.ToString() + ": " + std::strerror(errno));
    }
    // Sized by fstat and read in place: the file ends where fstat says (a
    // block file is never rewritten in place: writers rename a complete
    // temporary file over it).
    std::string out;
    bool done = false;
    struct stat st;
    if (::fstat(fd, &st) == 0 && static_cast<uint64_t>(st.st_size) <= options.max_block_size) {
      out.resize(static_cast<size_t>(st.st_size));
      size_t have = 0;
      while (have < out.size()) {
        ssize_t n = ::read(fd, out.data() + have, out.size() - have);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        have += static_cast<size_t>(n);
      }
      done = have == out.size();
    }
    ::close(fd);
    if (done) return out;
    // Anything unusual (a size over the cap, a file that changed): the
    // store's own reader reports it.
  }
  ASSIGN_OR_RETURN(Bytes b, options.local->Get(cid));
  return std::string(AsString(b));
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
