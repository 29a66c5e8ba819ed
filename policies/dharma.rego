# The built-in catalog: every finding of every built-in check, as one set.
#
#   opa eval -d policies/ --ignore '*.yaml' -i plan.json 'data.dharma.findings'
package dharma

import rego.v1

findings contains f if some f in data.dharma.aws.s3.findings

findings contains f if some f in data.dharma.aws.network.findings

findings contains f if some f in data.dharma.aws.compute.findings

findings contains f if some f in data.dharma.aws.database.findings

findings contains f if some f in data.dharma.aws.iam.findings

findings contains f if some f in data.dharma.aws.logging.findings

findings contains f if some f in data.dharma.aws.services.findings

findings contains f if some f in data.dharma.azure.storage.findings

findings contains f if some f in data.dharma.azure.network.findings

findings contains f if some f in data.dharma.azure.database.findings

findings contains f if some f in data.dharma.azure.security.findings

findings contains f if some f in data.dharma.azure.services.findings

findings contains f if some f in data.dharma.gcp.network.findings

findings contains f if some f in data.dharma.gcp.storage.findings

findings contains f if some f in data.dharma.gcp.database.findings

findings contains f if some f in data.dharma.gcp.compute.findings

findings contains f if some f in data.dharma.gcp.services.findings

findings contains f if some f in data.dharma.general.findings
