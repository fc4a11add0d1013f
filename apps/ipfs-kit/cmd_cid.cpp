// `cid format|base32|bases|codecs|hashes`, as `ipfs cid`.
#include "cli_common.h"

namespace ipfs_kit::cli {

void RegisterCid(CLI::App& app) {
  auto* cid = app.add_subcommand("cid", "Convert and inspect CIDs");
  cid->require_subcommand(1);
  {
    struct F {
      std::vector<std::string> cids;
      std::string version, base, format = "%s", codec;
    };
    auto f = std::make_shared<F>();
    auto* cmd = cid->add_subcommand("format", "Print CIDs in another version or multibase");
    cmd->add_option("cids", f->cids, "CIDs")->required();
    cmd->add_option("-v,--version", f->version, "CID version: 0 or 1");
    cmd->add_option("-b,--base", f->base,
                    "Multibase name (base32, base58btc, base36, base16, base64url, ...)");
    cmd->add_option("--mc,--codec", f->codec, "Change the codec (e.g. raw, dag-pb)");
    cmd->add_option("-f,--format", f->format,
                    "printf-style format: %s CID, %b base, %v version, %c codec, %h multihash "
                    "name, %d digest hex");
    SetAction(cmd, [f]() -> Status {
      std::optional<multiformats::Multibase> base;
      if (!f->base.empty()) {
        ASSIGN_OR_RETURN(base, multiformats::MultibaseFromName(f->base));
      }
      for (const auto& s : f->cids) {
        ASSIGN_OR_RETURN(auto c, multiformats::Cid::Parse(s));
        if (!f->codec.empty()) {
          ASSIGN_OR_RETURN(uint64_t codec, multiformats::CodecFromName(f->codec));
          c = multiformats::Cid(c.version(), codec, c.hash());
          if (c.version() == 0 && codec != multiformats::kCodecDagPb) c = c.ToV1();
        }
        if (f->version == "1") {
          c = c.ToV1();
        } else if (f->version == "0") {
          if (base && *base != multiformats::Multibase::kBase58Btc) {
            return Status::InvalidArgument("CIDv0 can only be written in base58btc");
          }
          ASSIGN_OR_RETURN(c, c.ToV0());
        } else if (!f->version.empty()) {
          return Status::InvalidArgument("--version must be 0 or 1");
        }
        if (base && c.version() == 0 && *base != multiformats::Multibase::kBase58Btc) c = c.ToV1();
        std::string text = base ? c.ToString(*base) : c.ToString();
        std::string out;
        for (size_t i = 0; i < f->format.size(); ++i) {
          char ch = f->format[i];
          if (ch != '%' || i + 1 == f->format.size()) {
            out.push_back(ch);
            continue;
          }
          char k = f->format[++i];
          switch (k) {
            case 's':
              out += text;
              break;
            case 'v':
              out += "cidv" + std::to_string(c.version());
              break;
            case 'c':
              out += std::string(multiformats::CodecName(c.codec()));
              break;
            case 'h':
              out += std::string(multiformats::MultihashName(c.hash().code));
              break;
            case 'd':
              out += HexEncode(c.hash().digest);
              break;
            case 'b':
              out += c.version() == 0 ? "base58btc"
                                      : std::string(multiformats::MultibaseName(
                                            base.value_or(multiformats::Multibase::kBase32)));
              break;
            case '%':
              out += '%';
              break;
            default:
              return Status::InvalidArgument(std::string("unknown format verb %") + k);
          }
        }
        RETURN_IF_ERROR(WriteStdout(out + "\n"));
      }
      return Status::Ok();
    });
  }
  {
    auto cids = std::make_shared<std::vector<std::string>>();
    auto* cmd = cid->add_subcommand("base32", "Print CIDs as CIDv1 in base32");
    cmd->add_option("cids", *cids, "CIDs")->required();
    SetAction(cmd, [cids]() -> Status {
      for (const auto& s : *cids) {
        ASSIGN_OR_RETURN(auto c, multiformats::Cid::Parse(s));
        RETURN_IF_ERROR(WriteStdout(c.ToV1().ToString() + "\n"));
      }
      return Status::Ok();
    });
  }
  {
    auto* cmd = cid->add_subcommand("bases", "List supported multibases");
    SetAction(cmd, [] {
      std::string out;
      for (auto b : {multiformats::Multibase::kBase16, multiformats::Multibase::kBase16Upper,
                     multiformats::Multibase::kBase32, multiformats::Multibase::kBase32Upper,
                     multiformats::Multibase::kBase36, multiformats::Multibase::kBase36Upper,
                     multiformats::Multibase::kBase58Btc, multiformats::Multibase::kBase64,
                     multiformats::Multibase::kBase64Url}) {
        out += std::string(1, multiformats::MultibasePrefix(b)) + "  " +
               std::string(multiformats::MultibaseName(b)) + "\n";
      }
      return WriteStdout(out);
    });
  }
  {
    auto* cmd = cid->add_subcommand("codecs", "List supported codecs");
    SetAction(cmd, [] {
      return WriteStdout("85  raw\n112  dag-pb\n113  dag-cbor\n114  libp2p-key\n297  dag-json\n");
    });
  }
  {
    auto* cmd = cid->add_subcommand("hashes", "List supported multihash functions");
    SetAction(cmd, [] { return WriteStdout("0  identity\n18  sha2-256\n19  sha2-512\n"); });
  }
}

}  // namespace ipfs_kit::cli
