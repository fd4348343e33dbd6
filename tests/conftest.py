"""Environment shared by every layer. Table names are fixed when the models are imported, so
the prefix and fake AWS credentials are set before anything imports chalicelib."""

import os

for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "DEPLOYMENT"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "TABLE_PREFIX": "test",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_REGION": "eu-north-1",
        "POWERTOOLS_METRICS_NAMESPACE": "EServicesTest",
    }
)
