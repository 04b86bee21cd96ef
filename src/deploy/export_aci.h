// File: deploy/export_aci.h
//
// `mpcc export aci`: Azure Resource Manager templates in the shape of the
// seed's deployment templates (seed-app 11.2), one per party:
// `deployment-template-<party>.json` with one
// Microsoft.ContainerInstance/containerGroups resource (apiVersion
// 2023-05-01), a user-assigned identity (parameter identityResourceId),
// `sku: Confidential` with `confidentialComputeProperties.ccePolicy` = base64
// of the party's policy text (platform "aci") for a confidential party,
// `sku: Standard` without ccePolicy for the Snooper; two containers from one
// image: `party-<party>` (`mpcc serve party`, TCP 443, public IP with a DNS
// label) and `sidecar-<party>` (`mpcc serve skr` on 127.0.0.1:8080, no port
// exposed); the app's environment as in the seed (SKR_KEY_NAME,
// SKR_MAA_ENDPOINT, SKR_AKV_ENDPOINT, and for an analyst PARTNER_<P>_AKV_ENDPOINT
// and PARTNER_<P>_URL per partner), each value a parameter whose default is
// what the policy pins; the app's config as a volume (`mpcc-config`), its
// secrets as secureString parameters (`mpcc-secrets`, `mpcc-group`); outputs
// containerGroupId, fqdn and hostData. Plus export_files.h's shared files and
// README.md with the az commands (identities, vaults, access policies, keys
// with their release policies, deployment).
//
//   MPCC_ASSIGN_OR_RETURN(CloudPlan plan, plan_cloud(file, CloudPlatform::kAci, options));
//   std::vector<ExportFile> files = export_aci(plan);
//   MPCC_RETURN_IF_ERROR(write_export(out_dir, files));
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "deploy/export_files.h"
#include "deploy/export_plan.h"

namespace mpcc::deploy {

inline constexpr const char* kAciApiVersion = "2023-05-01";

// The ARM template of one container group of `plan` (platform kAci).
nlohmann::json aci_template(const CloudPlan& plan, const CloudGroup& group);

// Every file of the export of `plan` (its platform must be kAci).
std::vector<ExportFile> export_aci(const CloudPlan& plan);

}  // namespace mpcc::deploy
