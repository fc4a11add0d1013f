#include "ipfs_kit/mcp/registry.h"

namespace ipfs_kit::mcp {

ToolResult ToolResult::Text(std::string text) {
  ToolResult r;
  r.content.push_back(Json{{"type", "text"}, {"text", std::move(text)}});
  return r;
}

ToolResult ToolResult::Structured(Json value) {
  ToolResult r;
  r.structured = std::move(value);
  return r;
}

ToolResult ToolResult::Error(std::string message) {
  ToolResult r = Text(std::move(message));
  r.is_error = true;
  return r;
}

void Registry::AddTool(Tool tool) { tools_.push_back(std::move(tool)); }
void Registry::AddResource(Resource resource) { resources_.push_back(std::move(resource)); }
void Registry::AddResourceTemplate(ResourceTemplate resource_template) {
  templates_.push_back(std::move(resource_template));
}
void Registry::AddPrompt(Prompt prompt) { prompts_.push_back(std::move(prompt)); }

const Tool* Registry::FindTool(const std::string& name) const {
  for (const auto& t : tools_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Prompt* Registry::FindPrompt(const std::string& name) const {
  for (const auto& p : prompts_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Resource* Registry::FindResource(const std::string& uri) const {
  for (const auto& r : resources_) {
    if (r.uri == uri) return &r;
  }
  return nullptr;
}

}  // namespace ipfs_kit::mcp
