// CarWriter: CAR v1 output. Format: docs/formats/car.md.
#include <cerrno>
#include <cstring>

#include "ipfs_kit/car/car.h"
#include "ipfs_kit/multiformats/varint.h"

namespace ipfs_kit::car {

namespace {

Status WriteBytes(FILE* out, ByteView b) {
  if (b.empty()) return Status::Ok();
  if (std::fwrite(b.data(), 1, b.size(), out) != b.size()) {
    return Status::IOError(std::string("CAR write failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

class CarWriterImpl : public CarWriter {
 public:
  explicit CarWriterImpl(FILE* out) : out_(out) {}

  Status Put(const Cid& cid, ByteView data) override {
    // Readers (ours, go-car, @ipld/car) cap blocks; refuse to write a CAR
    // they would reject.
    if (data.size() > blockstore::kMaxBlockSize) {
      return Status::InvalidArgument("CAR: block " + cid.ToString() + " is " +
                                     std::to_string(data.size()) + " bytes, over the limit");
    }
    // One small buffer for varint + CID keeps the section to two fwrite calls.
    scratch_.clear();
    multiformats::AppendUvarint(scratch_, cid.ByteLength() + data.size());
    cid.AppendTo(scratch_);
    RETURN_IF_ERROR(WriteBytes(out_, scratch_).WithContext("block " + cid.ToString()));
    return WriteBytes(out_, data).WithContext("block " + cid.ToString());
  }

  Status Finish() override {
    if (std::fflush(out_) != 0 || std::ferror(out_)) {
      return Status::IOError(std::string("CAR flush failed: ") + std::strerror(errno));
    }
    return Status::Ok();
  }

 private:
  FILE* out_;
  Bytes scratch_;
};

}  // namespace

Result<std::unique_ptr<CarWriter>> CarWriter::Create(FILE* out, const std::vector<Cid>& roots) {
  if (out == nullptr) return Status::InvalidArgument("CAR: no output stream");
  RETURN_IF_ERROR(WriteBytes(out, EncodeHeaderV1(roots)).WithContext("CAR header"));
  return std::unique_ptr<CarWriter>(std::make_unique<CarWriterImpl>(out));
}

}  // namespace ipfs_kit::car
