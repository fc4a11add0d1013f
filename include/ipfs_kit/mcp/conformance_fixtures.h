// The tools, resources and prompts the official MCP conformance suite
// (@modelcontextprotocol/conformance 0.1.13, `conformance server`) calls by
// name: test_simple_text, test_image_content, ..., test://static-text,
// test://template/{id}/data, test_prompt_with_arguments, ... Registered only
// by `ipfs-kit mcp serve --conformance-fixtures` (a test-only flag): they do
// nothing useful for a real client.
#pragma once

#include "ipfs_kit/mcp/registry.h"

namespace ipfs_kit::mcp {

// Adds every fixture the suite's server scenarios need (see docs/mcp.md for the
// list and what each scenario checks).
void RegisterConformanceFixtures(Registry& registry);

}  // namespace ipfs_kit::mcp
