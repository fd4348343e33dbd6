"""The CDK app: one stack per region, from infra/regions/<REGION>.json.

    make synth REGION=demo     # writes cdk.out/eservices-demo.template.json
    make deploy REGION=demo    # deploys with the operator's AWS credentials
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from aws_cdk import App, Environment, Validations
from cdk_nag import AwsSolutionsChecks

from infra.region_settings import RegionSettingsError, load
from infra.stack import EServicesStack

ROOT = Path(__file__).resolve().parents[1]
FEATURE_FLAGS = {
    # Access-log delivery by bucket policy, not the legacy LogDeliveryWrite ACL.
    "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": True,
}


def build(region_name: str, outdir: str | None = None) -> tuple[App, EServicesStack]:
    region = load(region_name)
    # `chalice package` asks botocore for a region; the template itself uses AWS::Region.
    os.environ.setdefault("AWS_DEFAULT_REGION", region.aws_region)
    # Under the cdk CLI (deploy) CDK_OUTDIR is set; `make synth` writes to cdk.out/.
    app = App(outdir=outdir or os.environ.get("CDK_OUTDIR", str(ROOT / "cdk.out")), context=FEATURE_FLAGS)
    stack = EServicesStack(
        app, region, env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region.aws_region)
    )
    Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True))
    return app, stack


def main() -> int:
    region_name = os.environ.get("REGION", "")
    try:
        app, _ = build(region_name)
    except RegionSettingsError as error:
        print(f"infra: {error}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
