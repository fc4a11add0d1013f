// Fuzzes the Parquet reader: footer (Thrift compact), schema, every column
// chunk of every row group (pages, compression, encodings, dictionaries) and
// the bloom filters, through a real file as the CLI and RouteReader use it.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "ipfs_kit/parquet/file_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  int fd = ::memfd_create("parquet_fuzzer", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto r = ipfs_kit::parquet::FileReader::Open(path);
  if (r.ok()) {
    const auto& reader = **r;
    for (size_t g = 0; g < reader.num_row_groups(); ++g) {
      for (size_t c = 0; c < reader.schema().columns.size(); ++c) {
        (void)reader.ReadColumn(g, c);
        (void)reader.BloomMayContain(g, c, ipfs_kit::AsBytes("bafy"));
      }
    }
  }
  ::close(fd);
  return 0;
}
