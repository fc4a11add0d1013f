// CAR (Content Addressable aRchive) v1 write and v1/v2 read.
// Format notes: docs/formats/car.md.
//
// CarReader streams sections from a file; every block's bytes are re-hashed
// against its CID before Next() returns it (kCorruption names the CID). It
// never allocates more than one block (capped at 2 MiB + CID) at a time, and
// rejects truncated sections, bad varints, oversized headers and unknown
// versions with kInvalidArgument/kCorruption naming the offset.
//
// CarWriter writes a v1 header then blocks in the order given; ExportDag walks
// a DAG in Kubo's `dag export` order (depth-first pre-order, each block once).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ipfs_kit/base/bytes.h"
#include "ipfs_kit/base/status.h"
#include "ipfs_kit/blockstore/blockstore.h"
#include "ipfs_kit/multiformats/cid.h"

namespace ipfs_kit::car {

using multiformats::Cid;

struct Block {
  Cid cid;
  Bytes data;
};

class CarReader {
 public:
  // Opens a CAR v1 or v2 file ("-" is stdin); reads and checks the header.
  static Result<std::unique_ptr<CarReader>> Open(const std::string& path);
  // Same over an already-open stream (not closed by the reader).
  static Result<std::unique_ptr<CarReader>> FromFile(FILE* f, std::string name);
  virtual ~CarReader() = default;

  virtual int version() const = 0;  // 1 or 2
  virtual const std::vector<Cid>& roots() const = 0;
  // Reads the next block into *out. Returns false at a clean end of data.
  virtual Result<bool> Next(Block* out) = 0;
};

class CarWriter {
 public:
  // Writes the v1 header with `roots` to `out` (not closed by the writer).
  static Result<std::unique_ptr<CarWriter>> Create(FILE* out, const std::vector<Cid>& roots);
  virtual ~CarWriter() = default;
  virtual Status Put(const Cid& cid, ByteView data) = 0;
  virtual Status Finish() = 0;  // flushes
};

// Encodes a v1 header (varint length + dag-cbor {roots, version: 1}).
Bytes EncodeHeaderV1(const std::vector<Cid>& roots);

// Writes every block reachable from `root` (dag-pb and raw; identity CIDs are
// skipped, as Kubo does) in depth-first pre-order without duplicates. Blocks
// are verified as they are read. Missing blocks: kNotFound naming the CID.
Status ExportDag(blockstore::Blockstore& store, const Cid& root, CarWriter& writer);

}  // namespace ipfs_kit::car
