// Package deploy holds what runs xtsync somewhere else than a laptop, as
// files users copy (and `xtsync init` writes): the GitHub Actions workflow
// of a config repository (github/xtsync.yml, using the action.yml at the
// repository's root), the Azure Pipelines pipeline
// (azure-devops/azure-pipelines.yml) and the Kubernetes manifests
// (kubernetes/). docs/ci.md and docs/kubernetes.md explain them.
//
// Its tests lint the workflows with actionlint, run their commands against
// the Graph emulator, and check the manifests against the Kubernetes API's
// types.
package deploy

import _ "embed"

// GitHubWorkflow is github/xtsync.yml: the workflow of a config repository,
// to be written to .github/workflows/xtsync.yml.
//
//go:embed github/xtsync.yml
var GitHubWorkflow []byte

// GitHubWorkflowPath is where GitHubWorkflow goes in a config repository.
const GitHubWorkflowPath = ".github/workflows/xtsync.yml"

// AzurePipeline is azure-devops/azure-pipelines.yml: the Azure Pipelines
// pipeline of a config repository, to be written to azure-pipelines.yml.
//
//go:embed azure-devops/azure-pipelines.yml
var AzurePipeline []byte

// AzurePipelinePath is where AzurePipeline goes in a config repository.
const AzurePipelinePath = "azure-pipelines.yml"
