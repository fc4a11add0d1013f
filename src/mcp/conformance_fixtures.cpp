// Fixtures for the conformance suite's server scenarios. Each one returns what
// the scenario's description in the suite asks for; the texts are the suite's
// own so that its checks (content types, substituted arguments, ...) hold.
#include "ipfs_kit/mcp/conformance_fixtures.h"

#include <chrono>
#include <thread>

namespace ipfs_kit::mcp {
namespace {

// A 1x1 red pixel PNG and a 1 ms 8 kHz 8-bit mono WAV of silence.
constexpr const char* kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
constexpr const char* kWavBase64 =
    "UklGRiwAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQgAAACAgICAgICAgA==";

void Pause() { std::this_thread::sleep_for(std::chrono::milliseconds(50)); }

Json Text(const std::string& text) { return Json{{"type", "text"}, {"text", text}}; }
Json Image() { return Json{{"type", "image"}, {"data", kPngBase64}, {"mimeType", "image/png"}}; }

ToolResult Content(Json items) {
  ToolResult r;
  r.content = std::move(items);
  return r;
}

Tool NoArgs(std::string name, std::string description,
            std::function<Result<ToolResult>(const Json&, CallContext&)> handler) {
  Tool t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.input_schema = Json{{"type", "object"}, {"properties", Json::object()}};
  t.handler = std::move(handler);
  return t;
}

// Sends elicitation/create and reports the answer the way the suite expects.
Result<ToolResult> Elicit(CallContext& ctx, const std::string& message, Json schema,
                          const std::string& prefix) {
  ASSIGN_OR_RETURN(Json answer, ctx.request_client("elicitation/create",
                                                   Json{{"message", message},
                                                        {"requestedSchema", std::move(schema)}}));
  std::string action = answer.contains("action") && answer["action"].is_string()
                           ? answer["action"].get<std::string>()
                           : "unknown";
  Json content = answer.contains("content") ? answer["content"] : Json::object();
  return ToolResult::Text(prefix + "action=" + action + ", content=" + content.dump());
}

void AddTools(Registry& r) {
  r.AddTool(
      NoArgs("test_simple_text", "Returns simple text content", [](const Json&, CallContext&) {
        return Result<ToolResult>(ToolResult::Text("This is a simple text response for testing."));
      }));
  r.AddTool(NoArgs("test_image_content", "Returns image content (a 1x1 red PNG)",
                   [](const Json&, CallContext&) {
                     return Result<ToolResult>(Content(Json::array({Image()})));
                   }));
  r.AddTool(NoArgs(
      "test_audio_content", "Returns audio content (a tiny WAV)", [](const Json&, CallContext&) {
        return Result<ToolResult>(Content(Json::array(
            {Json{{"type", "audio"}, {"data", kWavBase64}, {"mimeType", "audio/wav"}}})));
      }));
  r.AddTool(NoArgs(
      "test_embedded_resource", "Returns an embedded resource", [](const Json&, CallContext&) {
        return Result<ToolResult>(
            Content(Json::array({Json{{"type", "resource"},
                                      {"resource",
                                       {{"uri", "test://embedded-resource"},
                                        {"mimeType", "text/plain"},
                                        {"text", "This is an embedded resource content."}}}}})));
      }));
  r.AddTool(NoArgs("test_multiple_content_types", "Returns text, image and resource content",
                   [](const Json&, CallContext&) {
                     return Result<ToolResult>(Content(
                         Json::array({Text("Multiple content types test:"), Image(),
                                      Json{{"type", "resource"},
                                           {"resource",
                                            {{"uri", "test://mixed-content-resource"},
                                             {"mimeType", "application/json"},
                                             {"text", R"({"test":"data","value":123})"}}}}})));
                   }));
  r.AddTool(NoArgs("test_tool_with_logging", "Sends three log notifications while it runs",
                   [](const Json&, CallContext& ctx) {
                     ctx.log("info", "Tool execution started");
                     Pause();
                     ctx.log("info", "Tool processing data");
                     Pause();
                     ctx.log("info", "Tool execution completed");
                     return Result<ToolResult>(
                         ToolResult::Text("Tool with logging executed successfully"));
                   }));
  r.AddTool(NoArgs("test_tool_with_progress", "Reports progress 0, 50, 100 of 100",
                   [](const Json&, CallContext& ctx) {
                     ctx.progress(0, 100, "started");
                     Pause();
                     ctx.progress(50, 100, "half way");
                     Pause();
                     ctx.progress(100, 100, "done");
                     return Result<ToolResult>(
                         ToolResult::Text("Tool with progress executed successfully"));
                   }));
  r.AddTool(NoArgs("test_error_handling", "Always fails (an isError result)",
                   [](const Json&, CallContext&) -> Result<ToolResult> {
                     return Status::Internal(
                         "This tool intentionally returns an error for testing");
                   }));
  r.AddTool(NoArgs("test_reconnection",
                   "Ends its SSE stream before answering; the client resumes with Last-Event-ID "
                   "(SEP-1699 polling scenario)",
                   [](const Json&, CallContext& ctx) {
                     ctx.close_sse_stream();
                     Pause();
                     return Result<ToolResult>(ToolResult::Text("Reconnection test completed"));
                   }));

  Tool sampling;
  sampling.name = "test_sampling";
  sampling.description = "Asks the client's LLM (sampling/createMessage) and returns its answer";
  sampling.input_schema = Json{{"type", "object"},
                               {"properties", {{"prompt", {{"type", "string"}}}}},
                               {"required", {"prompt"}}};
  sampling.handler = [](const Json& args, CallContext& ctx) -> Result<ToolResult> {
    Json params{
        {"messages", Json::array({Json{{"role", "user"},
                                       {"content", Text(args["prompt"].get<std::string>())}}})},
        {"maxTokens", 100}};
    ASSIGN_OR_RETURN(Json answer, ctx.request_client("sampling/createMessage", params));
    std::string text;
    if (answer.contains("content") && answer["content"].is_object() &&
        answer["content"].contains("text") && answer["content"]["text"].is_string()) {
      text = answer["content"]["text"].get<std::string>();
    } else {
      text = answer.dump();
    }
    return ToolResult::Text("LLM response: " + text);
  };
  r.AddTool(std::move(sampling));

  Tool elicitation;
  elicitation.name = "test_elicitation";
  elicitation.description = "Asks the user for input (elicitation/create)";
  elicitation.input_schema = Json{{"type", "object"},
                                  {"properties", {{"message", {{"type", "string"}}}}},
                                  {"required", {"message"}}};
  elicitation.handler = [](const Json& args, CallContext& ctx) {
    Json schema{{"type", "object"},
                {"properties",
                 {{"username", {{"type", "string"}, {"description", "User's response"}}},
                  {"email", {{"type", "string"}, {"description", "User's email address"}}}}},
                {"required", {"username", "email"}}};
    return Elicit(ctx, args["message"].get<std::string>(), std::move(schema), "User response: ");
  };
  r.AddTool(std::move(elicitation));

  r.AddTool(NoArgs("test_elicitation_sep1034_defaults",
                   "Elicitation with default values (SEP-1034)", [](const Json&, CallContext& ctx) {
                     Json schema{{"type", "object"},
                                 {"properties",
                                  {{"name", {{"type", "string"}, {"default", "John Doe"}}},
                                   {"age", {{"type", "integer"}, {"default", 30}}},
                                   {"score", {{"type", "number"}, {"default", 95.5}}},
                                   {"status",
                                    {{"type", "string"},
                                     {"enum", {"active", "inactive", "pending"}},
                                     {"default", "active"}}},
                                   {"verified", {{"type", "boolean"}, {"default", true}}}}}};
                     return Elicit(ctx, "Please review and update the form fields with defaults",
                                   std::move(schema), "Elicitation completed: ");
                   }));
  r.AddTool(NoArgs(
      "test_elicitation_sep1330_enums", "Elicitation with every enum schema form (SEP-1330)",
      [](const Json&, CallContext& ctx) {
        Json titled = Json::array({Json{{"const", "value1"}, {"title", "First Option"}},
                                   Json{{"const", "value2"}, {"title", "Second Option"}},
                                   Json{{"const", "value3"}, {"title", "Third Option"}}});
        Json titled_multi = Json::array({Json{{"const", "value1"}, {"title", "First Choice"}},
                                         Json{{"const", "value2"}, {"title", "Second Choice"}},
                                         Json{{"const", "value3"}, {"title", "Third Choice"}}});
        Json schema{
            {"type", "object"},
            {"properties",
             {{"untitledSingle", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}},
              {"titledSingle", {{"type", "string"}, {"oneOf", titled}}},
              {"legacyEnum",
               {{"type", "string"},
                {"enum", {"opt1", "opt2", "opt3"}},
                {"enumNames", {"Option One", "Option Two", "Option Three"}}}},
              {"untitledMulti",
               {{"type", "array"},
                {"items", {{"type", "string"}, {"enum", {"option1", "option2", "option3"}}}}}},
              {"titledMulti", {{"type", "array"}, {"items", {{"anyOf", titled_multi}}}}}}}};
        return Elicit(ctx, "Please select options from the enum fields", std::move(schema),
                      "Elicitation completed: ");
      }));

  Tool schema2020;
  schema2020.name = "json_schema_2020_12_tool";
  schema2020.description = "Tool with JSON Schema 2020-12 features";
  schema2020.input_schema = Json{
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"type", "object"},
      {"$defs",
       {{"address",
         {{"type", "object"},
          {"properties", {{"street", {{"type", "string"}}}, {"city", {{"type", "string"}}}}}}}}},
      {"properties", {{"name", {{"type", "string"}}}, {"address", {{"$ref", "#/$defs/address"}}}}},
      {"additionalProperties", false}};
  schema2020.handler = [](const Json& args, CallContext&) {
    return Result<ToolResult>(ToolResult::Text("Received: " + args.dump()));
  };
  r.AddTool(std::move(schema2020));
}

Resource StaticText(std::string uri, std::string name, std::string description, std::string text) {
  Resource res;
  res.uri = uri;
  res.name = std::move(name);
  res.description = std::move(description);
  res.mime_type = "text/plain";
  res.read = [uri, text](const std::string&, CallContext&) {
    return Result<std::vector<ResourceContent>>(
        std::vector<ResourceContent>{{uri, "text/plain", text, std::nullopt}});
  };
  return res;
}

void AddResources(Registry& r) {
  r.AddResource(StaticText("test://static-text", "Static Text Resource",
                           "A static text resource for testing",
                           "This is the content of the static text resource."));
  Resource binary;
  binary.uri = "test://static-binary";
  binary.name = "Static Binary Resource";
  binary.description = "A static binary resource (a PNG image) for testing";
  binary.mime_type = "image/png";
  binary.read = [](const std::string& uri, CallContext&) {
    return Result<std::vector<ResourceContent>>(
        std::vector<ResourceContent>{{uri, "image/png", std::nullopt, std::string(kPngBase64)}});
  };
  r.AddResource(std::move(binary));
  r.AddResource(StaticText("test://watched-resource", "Watched Resource",
                           "A resource that can be subscribed to", "Watched resource content"));

  ResourceTemplate tpl;
  tpl.uri_template = "test://template/{id}/data";
  tpl.name = "Resource Template";
  tpl.description = "A resource template with an {id} parameter";
  tpl.mime_type = "application/json";
  tpl.read = [](const std::string& uri, const std::map<std::string, std::string>& vars,
                CallContext&) {
    const std::string& id = vars.at("id");
    Json data{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
    return Result<std::vector<ResourceContent>>(
        std::vector<ResourceContent>{{uri, "application/json", data.dump(), std::nullopt}});
  };
  tpl.complete = [](const std::string& argument, const std::string& value) {
    std::vector<std::string> out;
    if (argument != "id") return out;
    for (const char* v : {"1", "12", "123", "42"}) {
      if (std::string(v).rfind(value, 0) == 0) out.emplace_back(v);
    }
    return out;
  };
  r.AddResourceTemplate(std::move(tpl));
}

Json UserMessage(Json content) { return Json{{"role", "user"}, {"content", std::move(content)}}; }

void AddPrompts(Registry& r) {
  Prompt simple;
  simple.name = "test_simple_prompt";
  simple.description = "A simple prompt without arguments";
  simple.get = [](const std::map<std::string, std::string>&) {
    return Result<Json>(Json{
        {"messages", Json::array({UserMessage(Text("This is a simple prompt for testing."))})}});
  };
  r.AddPrompt(std::move(simple));

  Prompt with_args;
  with_args.name = "test_prompt_with_arguments";
  with_args.description = "A prompt with two required arguments";
  with_args.arguments = {{"arg1", "First test argument", true},
                         {"arg2", "Second test argument", true}};
  with_args.get = [](const std::map<std::string, std::string>& a) {
    std::string text =
        "Prompt with arguments: arg1='" + a.at("arg1") + "', arg2='" + a.at("arg2") + "'";
    return Result<Json>(Json{{"messages", Json::array({UserMessage(Text(text))})}});
  };
  with_args.complete = [](const std::string&, const std::string& value) {
    std::vector<std::string> out;
    for (const char* v : {"paris", "park", "party", "test", "testValue1", "testValue2"}) {
      if (std::string(v).rfind(value, 0) == 0) out.emplace_back(v);
    }
    return out;
  };
  r.AddPrompt(std::move(with_args));

  Prompt embedded;
  embedded.name = "test_prompt_with_embedded_resource";
  embedded.description = "A prompt that embeds a resource";
  embedded.arguments = {{"resourceUri", "URI of the resource to embed", true}};
  embedded.get = [](const std::map<std::string, std::string>& a) {
    Json resource{{"type", "resource"},
                  {"resource",
                   {{"uri", a.at("resourceUri")},
                    {"mimeType", "text/plain"},
                    {"text", "Embedded resource content for testing."}}}};
    return Result<Json>(
        Json{{"messages",
              Json::array({UserMessage(resource),
                           UserMessage(Text("Please process the embedded resource above."))})}});
  };
  r.AddPrompt(std::move(embedded));

  Prompt image;
  image.name = "test_prompt_with_image";
  image.description = "A prompt with image content";
  image.get = [](const std::map<std::string, std::string>&) {
    return Result<Json>(
        Json{{"messages", Json::array({UserMessage(Image()),
                                       UserMessage(Text("Please analyze the image above."))})}});
  };
  r.AddPrompt(std::move(image));
}

}  // namespace

void RegisterConformanceFixtures(Registry& registry) {
  AddTools(registry);
  AddResources(registry);
  AddPrompts(registry);
}

}  // namespace ipfs_kit::mcp
