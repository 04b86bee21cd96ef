// File: deploy/export_k8s.h
//
// `mpcc export k8s`: Kubernetes manifests for Confidential Containers, as
// JSON (kubectl accepts it), one file per party, `party-<party>.json`: a
// v1 List of
//   - a ConfigMap "<prefix>-<party>-config" with the app's party.json;
//   - a Deployment "<prefix>-<party>" (apps/v1, one replica) whose pod has
//     `runtimeClassName` (kata-cc-isolation by default) and the annotation
//     `io.katacontainers.config.agent.policy` = base64 of the party's policy
//     text (platform "k8s") for a confidential party, the default runtime
//     and no annotation for the Snooper; the app container
//     `party-<party>` (`mpcc serve party`, containerPort 443) and the sidecar
//     container `sidecar-<party>` beside it (`mpcc serve skr` on
//     127.0.0.1:8080, no port); volumes from the ConfigMap and from the
//     Secrets "<prefix>-<party>-secrets" and "<prefix>-<party>-group-token",
//     referenced by name and never included;
//   - a Service "<prefix>-<party>" (port 443 to the app).
// Plus export_files.h's shared files (the release policies match these
// policies' host_data) and README.md (secrets, az and kubectl commands).
//
//   MPCC_ASSIGN_OR_RETURN(CloudPlan plan, plan_cloud(file, CloudPlatform::kK8s, options));
//   std::vector<ExportFile> files = export_k8s(plan);
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "deploy/export_files.h"
#include "deploy/export_plan.h"

namespace mpcc::deploy {

inline constexpr const char* kKataPolicyAnnotation = "io.katacontainers.config.agent.policy";

// The List (ConfigMap, Deployment, Service) of one party of `plan` (kK8s).
nlohmann::json k8s_manifests(const CloudPlan& plan, const CloudGroup& group);

// Every file of the export of `plan` (its platform must be kK8s).
std::vector<ExportFile> export_k8s(const CloudPlan& plan);

}  // namespace mpcc::deploy
