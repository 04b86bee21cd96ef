// File: deploy/export_files.h
//
// The files `mpcc export aci|k8s` writes into OUTDIR, as values first (so
// tests compare them byte for byte), then on disk:
//
//   std::vector<ExportFile> files = ...;            // export_aci / export_k8s
//   add_common_files(files, plan, readme_text);      // policies, README.md, manifest.json
//   MPCC_RETURN_IF_ERROR(write_export(out_dir, files));
//
// Shared by both platforms: `security-policy-<party>.rego` (each confidential
// party's policy text, what `mpcc policy hash FILE` hashes),
// `release-policy-<key>.json` (each key's release policy), `README.md`, and
// `manifest.json` = {"format": "mpcc-export-v1", "platform", "image",
// "files": [{"name", "sha256"}] (every other file, by name),
// "parties": {"<party>": {"sku", "host_data" (hex or null)}}}.
// JSON files are 2-space indented with a final newline.
//
// Errors (write_export): kInvalidArgument when OUTDIR exists and is not a
// directory, kUnavailable when it cannot be created or a file written.
//
// Thread-safety: plain values; write_export touches only OUTDIR.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "deploy/export_plan.h"

namespace mpcc::deploy {

struct ExportFile {
  std::string name;  // relative to OUTDIR, no directories
  std::string content;
};

std::string json_file(const nlohmann::json& j);  // dump(2) + "\n"

// Appends the policies, the release policies, README.md (`readme`) and
// manifest.json (last; it covers every file before it).
void add_common_files(std::vector<ExportFile>& files, const CloudPlan& plan,
                      const std::string& readme);

// README parts shared by both platforms: a Markdown table of the parties
// (name, `file_of(group)`, SKU, host_data), then the numbered steps 1-3 (check
// the policies; generate each group's secrets; resource group, identities,
// vaults, access policies, keys with their release policies: the az
// commands, including the export again with the identities' object ids).
std::string party_table(const CloudPlan& plan,
                        const std::function<std::string(const CloudGroup&)>& file_of);
std::string azure_setup_commands(const CloudPlan& plan);

// Creates OUTDIR (and parents) and writes every file (0644), replacing
// files of the same name; other files in OUTDIR are left alone.
Status write_export(const std::filesystem::path& out_dir, const std::vector<ExportFile>& files);

}  // namespace mpcc::deploy
