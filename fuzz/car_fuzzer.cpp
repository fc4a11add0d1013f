// Fuzzes CarReader through a real file descriptor (memfd), as the CLI and the
// daemon read CARs from files and pipes, then exports the first root from
// the blocks read, which also exercises dag-pb decoding of verified blocks.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/car/car.h"

namespace car = ipfs_kit::car;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("car_fuzzer", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) {
      ::close(fd);
      return 0;
    }
    off += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  FILE* f = ::fdopen(fd, "rb");
  if (f == nullptr) {
    ::close(fd);
    return 0;
  }
  {
    auto reader = car::CarReader::FromFile(f, "fuzz.car");
    if (reader.ok()) {
      auto store = ipfs_kit::blockstore::NewMemoryBlockstore();
      car::Block block;
      // Bounded: every section costs at least two bytes of input.
      for (size_t i = 0; i <= size; ++i) {
        auto more = (*reader)->Next(&block);
        if (!more.ok() || !*more) break;
        if (!store->Put(block.cid, block.data).ok()) std::abort();
      }
      if (!(*reader)->roots().empty()) {
        FILE* out = std::fopen("/dev/null", "wb");
        if (out != nullptr) {
          auto writer = car::CarWriter::Create(out, (*reader)->roots());
          if (writer.ok()) {
            (void)car::ExportDag(*store, (*reader)->roots()[0], **writer);
          }
          std::fclose(out);
        }
      }
    }
  }
  std::fclose(f);
  return 0;
}
