"""The synthesized stacks: what a region's operator deploys. Synth itself runs cdk-nag's AWS
Solutions checks and fails on any unacknowledged finding."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schedules import SCHEDULES

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")


@contextlib.contextmanager
def _packaging_in(folder: Path):
    """`chalice package` writes its work to ./chalice.out: keep that out of the working tree. It also
    loads the app with the region's stage environment in os.environ: put the environment back, or
    later tests in this process would run as that region."""
    previous, environment = Path.cwd(), dict(os.environ)
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(previous)
        os.environ.clear()
        os.environ.update(environment)


def _synth(region: str, outdir: Path) -> dict:
    from infra.app import build

    with _packaging_in(outdir.parent):
        app, stack = build(region, outdir=str(outdir))
        app.synth()
    return json.loads((outdir / f"{stack.stack_name}.template.json").read_text())


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    out = tmp_path_factory.mktemp("cdk")
    return {region: (_synth(region, out / region), out / region) for region in ("demo", "norr")}


@pytest.fixture(scope="module")
def demo(templates):
    return templates["demo"][0]


@pytest.fixture(scope="module")
def norr(templates):
    return templates["norr"][0]


def _of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def _model_tables():
    from pynamodb.attributes import TTLAttribute

    from chalicelib.adapters import tables

    for model in tables.ALL_MODELS:
        suffix = model.Meta.table_name.removeprefix(f"{tables.TABLE_PREFIX}-")
        ttl = next((a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)), None)
        yield suffix, model, ttl


def test_every_table_the_app_uses_exists_with_its_keys_and_protections(demo):
    tables = {t["Properties"]["TableName"]: t["Properties"] for t in _of_type(demo, "AWS::DynamoDB::Table").values()}
    for suffix, model, ttl in _model_tables():
        table = tables[f"eservices-demo-{suffix}"]
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["DeletionProtectionEnabled"] is True
        assert table["SSESpecification"]["SSEEnabled"] is True and table["SSESpecification"]["SSEType"] == "KMS"
        hash_key = next(k["AttributeName"] for k in table["KeySchema"] if k["KeyType"] == "HASH")
        assert hash_key == model._hash_keyname
        if ttl:
            assert table["TimeToLiveSpecification"] == {"AttributeName": ttl, "Enabled": True}
        else:
            assert "TimeToLiveSpecification" not in table
    assert len(tables) == len(list(_model_tables()))
    staff_roles = tables["eservices-demo-staff-roles"]
    assert [i["IndexName"] for i in staff_roles["GlobalSecondaryIndexes"]] == ["by-unit"]
    for resource in _of_type(demo, "AWS::DynamoDB::Table").values():
        assert resource["DeletionPolicy"] == "Retain"


def test_the_functions_run_the_app_with_secrets_by_reference_only(demo):
    functions = {k: v["Properties"] for k, v in _of_type(demo, "AWS::Serverless::Function").items()}
    assert functions["APIHandler"]["Handler"] == "app.app"
    assert functions["DispatchNotifications"]["Handler"] == "chalicelib.functions.dispatch_notifications.handler"
    for function in functions.values():
        assert function["Runtime"] == "python3.11"
        assert "PNR_HMAC_KEY_ARN" in function["Environment"]["Variables"]
    env = functions["APIHandler"]["Environment"]["Variables"]
    assert env["TABLE_PREFIX"] == "eservices-demo" and env["DEPLOYMENT"] == "aws"
    assert env["PUBLIC_BASE_URL"] == "https://e-tjanster.regiondemo.example"
    assert "PNR_HMAC_KEY" not in env and "Ref" in env["PNR_HMAC_KEY_ARN"]
    assert not any(k.endswith("_SECRET") for k in env)
    # private_key_jwt by default: the client key is a secret the stack generated, named by reference
    assert env["CITIZEN_OIDC_CLIENT_AUTH"] == env["STAFF_OIDC_CLIENT_AUTH"] == "private_key_jwt"
    assert "Ref" in env["OIDC_CLIENT_KEY_ARN"] and "OIDC_CLIENT_KEY" not in env
    assert env["CITIZEN_OIDC_ACR_VALUES"].split() == ["http://id.elegnamnden.se/loa/1.0/loa3",
                                                      "http://id.elegnamnden.se/loa/1.0/loa4"]  # fmt: skip
    # Mina intyg's receiver: its settings without the secret, the token's ARN beside them
    receivers = json.loads(env["CERTIFICATE_RECEIVERS"])
    assert receivers == [{"id": "fk", "name": "Försäkringskassan", "auth": "bearer",
                          "url": "https://intyg.forsakringskassan.example/certificates"}]
    assert env["CERTIFICATE_RECEIVER_FK_SECRET_ARN"].startswith("arn:aws:secretsmanager:")


def test_a_region_may_keep_client_secret_basic_for_a_provider(norr):
    functions = {k: v["Properties"] for k, v in _of_type(norr, "AWS::Serverless::Function").items()}
    env = functions["APIHandler"]["Environment"]["Variables"]
    assert env["STAFF_OIDC_CLIENT_AUTH"] == "client_secret_basic"
    assert env["STAFF_OIDC_CLIENT_SECRET_ARN"].startswith("arn:aws:secretsmanager:")
    assert "CITIZEN_OIDC_CLIENT_SECRET_ARN" not in env


def test_no_function_has_broad_dynamodb_or_admin_rights(demo):
    statements = [
        s
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        for policy in _of_type(demo, kind).values()
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    assert not any(a in ("dynamodb:Scan", "dynamodb:DeleteTable") for s in statements
                   for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]]))  # fmt: skip
    for role in _of_type(demo, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            statements += policy["PolicyDocument"]["Statement"]
    assert statements
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        assert "*" not in actions and "dynamodb:*" not in actions, statement
        if any(a.startswith("dynamodb:") for a in actions):
            assert "*" not in resources, statement
        if "*" in resources:
            # SMS to phone numbers, and the account's SMS settings: neither has an ARN to name
            assert actions in (["sns:Publish"], ["sns:SetSMSAttributes"]), statement


def test_each_defined_schedule_runs_in_stockholm_time(demo):
    schedules = {s["Properties"]["Name"]: s["Properties"] for s in _of_type(demo, "AWS::Scheduler::Schedule").values()}
    assert len(schedules) == len(SCHEDULES) >= 1
    dispatch = schedules["eservices-demo-notification-dispatch"]
    assert "DispatchNotifications" in json.dumps(dispatch["Target"]["Arn"])
    for definition in SCHEDULES:
        schedule = schedules[f"eservices-demo-{definition.name}"]
        assert schedule["ScheduleExpression"] == definition.expression
        assert schedule["ScheduleExpressionTimezone"] == "Europe/Stockholm"
    group = next(iter(_of_type(demo, "AWS::Scheduler::ScheduleGroup").values()))
    assert group["Properties"]["Name"] == "eservices-demo-bookings"
    scheduler_roles = [
        r for r in _of_type(demo, "AWS::IAM::Role").values()
        if "scheduler.amazonaws.com" in json.dumps(r["Properties"]["AssumeRolePolicyDocument"])
    ]  # fmt: skip
    assert len(scheduler_roles) == 1


def test_sms_settings_come_from_the_settings_file(demo):
    custom = next(iter(_of_type(demo, "Custom::AWS").values()))["Properties"]
    create = json.dumps(custom["Create"])
    assert "setSMSAttributes" in create and "RegionDemo" in create and "Transactional" in create


def test_attachments_are_encrypted_private_and_logged(demo):
    buckets = list(_of_type(demo, "AWS::S3::Bucket").values())
    attachments = next(b["Properties"] for b in buckets if "LoggingConfiguration" in b["Properties"])
    sse = attachments["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert sse["SSEAlgorithm"] == "aws:kms"
    for bucket in buckets:
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
        }  # fmt: skip
    policies = json.dumps(list(_of_type(demo, "AWS::S3::BucketPolicy").values()))
    assert '"aws:SecureTransport": "false"' in policies
    # Uploads no message took are removed after a day; files messages took are kept; print files a month;
    # a form's answer made into a PDF for a download, a day.
    rules = {r["Prefix"]: r for r in attachments["LifecycleConfiguration"]["Rules"]}
    assert set(rules) == {"incoming/", "print-batches/", "form-exports/"}
    assert rules["form-exports/"]["ExpirationInDays"] == 1
    rule = rules["incoming/"]
    assert rule["Prefix"] == "incoming/" and rule["ExpirationInDays"] == 1
    assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    assert rules["print-batches/"]["ExpirationInDays"] == 30


def test_queues_have_dead_letter_queues_and_alarms_watch_errors_throttles_and_dead_letters(demo):
    queues = _of_type(demo, "AWS::SQS::Queue")
    with_redrive = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    # release, notifications, print; their three dead-letter queues and the follow-ups' (a stream's on-failure)
    assert len(with_redrive) == 3 and len(queues) == 7
    assert all(q["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5 for q in with_redrive)
    alarms = [a["Properties"] for a in _of_type(demo, "AWS::CloudWatch::Alarm").values()]
    metrics = sorted(a["MetricName"] for a in alarms)
    # Errors and throttles of the thirteen functions (the earlier-time offers' expiry among them), the four
    # dead-letter queues, notifications given up and those whose outcome is unknown (not retried: someone checks), and the release queue's oldest chunk
    # (the evening running late)
    assert metrics == ["ApproximateAgeOfOldestMessage"] + ["ApproximateNumberOfMessagesVisible"] * 4 + [
        "Errors"] * 13 + ["NotificationGaveUp"] + ["NotificationUncertain"] + ["Throttles"] * 13  # fmt: skip
    late = next(a for a in alarms if a["MetricName"] == "ApproximateAgeOfOldestMessage")
    assert late["Threshold"] == 600 and late["Statistic"] == "Maximum"
    assert all(a["AlarmActions"] for a in alarms)


# Issue 15: each job's worker, its queue, its concurrency, its timeout and memory.
WORKERS = {"ReleaseWorker": ("ReleaseQueue", 10, 10), "NotificationWorker": ("NotificationsQueue", 1, None),
           "PrintWorker": ("PrintQueue", 1, 5)}  # fmt: skip
JOBS = {"ReleaseSummons": (300, 256), "ReleaseWorker": (60, 256), "DispatchNotifications": (60, 256),
        "NotificationWorker": (120, 256), "PrintBatch": (300, 256), "PrintWorker": (300, 1024),
        "FollowUps": (120, 512), "APIHandler": (30, 512), "BookingCutoff": (30, 512), "KitDeadlines": (30, 512),
        "FormDeadlines": (30, 512), "FormPackage": (30, 512)}


@pytest.mark.parametrize("region", ["demo", "norr"])
def test_the_batch_work_fans_out_over_sqs_to_workers_with_bounded_concurrency(templates, region):
    template = templates[region][0]
    functions = {k: v["Properties"] for k, v in _of_type(template, "AWS::Serverless::Function").items()}
    queues = _of_type(template, "AWS::SQS::Queue")
    workers = {"demo": 2, "norr": 5}[region]  # the region's notifications.workers
    for name, (queue_prefix, batch_size, concurrency) in WORKERS.items():
        (source,) = functions[name]["Events"].values()
        assert source["Type"] == "SQS"
        properties = source["Properties"]
        (queue_id,) = [q for q in queues if q.startswith(queue_prefix)]
        assert properties["Queue"] == {"Fn::GetAtt": [queue_id, "Arn"]}  # the real queue, not Chalice's placeholder
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert properties["BatchSize"] == batch_size
        assert properties["ScalingConfig"] == {"MaximumConcurrency": concurrency or workers}
        # SQS hides a message being worked on for six times the worker's timeout (AWS's advice)
        assert queues[queue_id]["Properties"]["VisibilityTimeout"] == 6 * functions[name]["Timeout"]
    for name, (timeout, memory) in JOBS.items():
        assert (functions[name]["Timeout"], functions[name]["MemorySize"]) == (timeout, memory), name
    # The notification workers pace themselves to the region's quota, shared by as many as run at once
    env = functions["NotificationWorker"]["Environment"]["Variables"]
    assert env["NOTIFICATION_WORKERS"] == str(workers)
    assert (env["EMAIL_SENDS_PER_SECOND"], env["SMS_SENDS_PER_SECOND"]) == {"demo": ("14", "20"),
                                                                            "norr": ("50", "20")}[region]  # fmt: skip
    for kind in ("RELEASE", "NOTIFICATIONS", "PRINT"):
        assert "Ref" in env[f"{kind}_QUEUE_URL"]
    # The follow-ups take the evening's events a hundred at a time, four batches of a shard at once
    (stream,) = functions["FollowUps"]["Events"].values()
    assert stream["Properties"]["BatchSize"] == 100 and stream["Properties"]["ParallelizationFactor"] == 4
    schedules = {s["Properties"]["Name"]: s["Properties"] for s in _of_type(template, "AWS::Scheduler::Schedule").values()}
    assert schedules[f"eservices-{region}-print-batch"]["ScheduleExpression"] == "cron(30 18 * * ? *)"
    assert "PrintBatch" in json.dumps(schedules[f"eservices-{region}-print-batch"]["Target"]["Arn"])


def test_booking_schedules_invoke_the_cutoff_function_which_the_api_knows(demo):
    functions = _of_type(demo, "AWS::Serverless::Function")
    cutoff_id = next(k for k in functions if k.startswith("BookingCutoff"))
    api = next(f["Properties"] for k, f in functions.items() if k.startswith("APIHandler"))
    assert api["Environment"]["Variables"]["BOOKING_CUTOFF_TARGET_ARN"] == {"Fn::GetAtt": [cutoff_id, "Arn"]}
    assert "BOOKING_CUTOFF_TARGET_ARN" not in functions[cutoff_id]["Properties"]["Environment"]["Variables"]
    permissions = json.dumps(list(_of_type(demo, "AWS::IAM::Policy").values()))
    assert f'"{cutoff_id}", "Arn"' in permissions and "lambda:InvokeFunction" in permissions


def test_scheduled_and_stream_functions_run_their_own_handlers_not_the_app(demo):
    """Every function but the API's runs its module in chalicelib/functions/, which imports no route,
    page or template (tests/infra/test_asset.py imports each from the built asset)."""
    from chalice.utils import to_cfn_resource_name

    import app
    from chalicelib.functions import HANDLERS

    declared = [f.name for f in app.app.pure_lambda_functions] + [s.name for s in app.app.event_sources]
    assert sorted(declared) == sorted(HANDLERS), "a new function: a module in chalicelib/functions/, a line in HANDLERS"
    functions = _of_type(demo, "AWS::Serverless::Function")
    for name, handler in HANDLERS.items():
        assert functions[to_cfn_resource_name(name)]["Properties"]["Handler"] == handler
    assert next(f["Properties"]["Handler"] for k, f in functions.items() if k.startswith("APIHandler")) == "app.app"


def test_sender_identity_and_unknown_routes_as_json_404(demo):
    identity = next(iter(_of_type(demo, "AWS::SES::EmailIdentity").values()))
    assert identity["Properties"]["EmailIdentity"] == "e-tjanster.regiondemo.example"
    response = next(iter(_of_type(demo, "AWS::ApiGateway::GatewayResponse").values()))["Properties"]
    assert response["ResponseType"] == "MISSING_AUTHENTICATION_TOKEN" and response["StatusCode"] == "404"
    assert json.loads(response["ResponseTemplates"]["application/json"])["code"] == "not_found"


def test_every_cdk_nag_acknowledgement_says_why(demo):
    acknowledged = [
        rule
        for resource in demo["Resources"].values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert acknowledged
    for rule in acknowledged:
        assert rule["id"].startswith("AwsSolutions::") and len(rule["reason"]) >= 20, rule


@pytest.mark.parametrize("region", ["demo", "norr"])
def test_the_template_passes_cfn_lint(templates, region):
    template, outdir = templates[region]
    path = outdir / f"eservices-{region}.template.json"
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    # W3005 (a DependsOn also implied by GetAtt) comes from aws-cdk-lib's own custom-resource provider.
    result = subprocess.run([str(cfn_lint), str(path), "--ignore-checks", "W3005"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_second_region_is_an_independent_stack(templates):
    demo, norr = templates["demo"][0], templates["norr"][0]

    def names(template: dict) -> set[str]:
        return {
            str(r["Properties"][key])
            for r in template["Resources"].values()
            for key in ("TableName", "Name", "QueueName", "BucketName", "TopicName")
            if key in r.get("Properties", {})
        }

    assert names(demo) and not names(demo) & names(norr)
    norr_env = next(iter(_of_type(norr, "AWS::Serverless::Function").values()))["Properties"]["Environment"]
    assert norr_env["Variables"]["REGION_NAME"] == "Region Norr (exempel)"
    assert norr_env["Variables"]["STAFF_HSA_ID_CLAIM"] == "hsaIdentity"


def test_an_unknown_region_is_refused_by_name():
    from infra.region_settings import RegionSettingsError, load

    with pytest.raises(RegionSettingsError, match="known: demo, norr"):
        load("atlantis")


def test_cdk_nag_fails_the_synth_of_an_unjustified_finding(tmp_path):
    from aws_cdk import aws_sqs as sqs

    from infra.app import build

    with _packaging_in(tmp_path):
        app, stack = build("demo", outdir=str(tmp_path / "out"))
        sqs.Queue(stack, "UnencryptedWithoutDeadLetters", encryption=sqs.QueueEncryption.UNENCRYPTED)
        with pytest.raises(Exception, match="AwsSolutions-SQS2"):
            app.synth()


def test_region_settings_are_validated(tmp_path, monkeypatch):
    from infra import region_settings

    good = json.loads((region_settings.REGIONS_DIR / "demo.json").read_text())
    monkeypatch.setattr(region_settings, "REGIONS_DIR", tmp_path)
    cases = [
        ({"citizen_oidc": {**good["citizen_oidc"], "client_secret_arn": "hunter2"}}, "Secrets Manager ARN"),
        ({"staff_oidc": {**good["staff_oidc"], "issuer": "http://siths"}}, "https URL"),
        ({"staff_oidc": {**good["staff_oidc"], "client_auth": "client_secret_basic"}}, "client_secret_arn is required"),
        ({"staff_oidc": {**good["staff_oidc"], "client_auth": "tls_client_auth"}}, "client_auth"),
        ({"citizen_oidc": {**good["citizen_oidc"], "acr_values": "loa3"}}, "acr_values"),
        ({"sms_sender_id": "Region Demo!"}, "sms_sender_id"),
        ({"eservices": {"teleportation": True}}, "eservices"),
        ({"ses_sender": ""}, "ses_sender"),
        ({"notifications": {"email_per_second": 0}}, "email_per_second"),
        ({"notifications": {"sms_per_second": "fast"}}, "sms_per_second"),
        ({"notifications": {"workers": 1}}, "workers"),
        ({"notifications": {"emails": 14}}, "notifications takes"),
        ({"certificates": {"receivers": [{"id": "fk", "name": "FK", "url": "http://fk"}]}}, "certificate receiver"),
        ({"certificates": {"receivers": [{"id": "fk", "name": "FK", "url": "https://fk", "secret_arn": "x"}]}},
         "certificate receiver"),
        ({"certificates": {"senders": []}}, "certificates takes"),
    ]
    for change, message in cases:
        (tmp_path / "demo.json").write_text(json.dumps({**good, **change}))
        with pytest.raises(region_settings.RegionSettingsError, match=message):
            region_settings.load("demo")


def test_the_follow_ups_read_the_events_stream_reporting_failures_with_a_dead_letter_queue(demo):
    events = next(t["Properties"] for t in _of_type(demo, "AWS::DynamoDB::Table").values()
                  if t["Properties"]["TableName"].endswith("-events"))  # fmt: skip
    assert events["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    consumer = _of_type(demo, "AWS::Serverless::Function")["FollowUps"]["Properties"]
    source = next(iter(consumer["Events"].values()))
    assert source["Type"] == "DynamoDB"
    properties = source["Properties"]
    assert "Fn::GetAtt" in properties["Stream"] and properties["Stream"]["Fn::GetAtt"][1] == "StreamArn"
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True and properties["MaximumRetryAttempts"] == 10
    dead_letters = properties["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
    assert dead_letters.startswith("FollowUpsDeadLetters")
    watched = [a["Properties"]["MetricName"] for a in _of_type(demo, "AWS::CloudWatch::Alarm").values()
               if any(isinstance(d.get("Value"), dict) and d["Value"].get("Fn::GetAtt", [""])[0] == dead_letters
                      for d in a["Properties"].get("Dimensions", []))]  # fmt: skip
    assert watched == ["ApproximateNumberOfMessagesVisible"]

def test_the_api_sits_behind_a_waf_web_acl_and_api_gateway_throttling(demo):
    """Issue 16: AWS managed rule groups and a rate-based rule per client address, associated with the
    API's stage; every method of the stage throttled."""
    (acl,) = _of_type(demo, "AWS::WAFv2::WebACL").values()
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL" and props["DefaultAction"] == {"Allow": {}}
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r for r in props["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]}  # fmt: skip
    assert {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"} <= set(groups)
    for rule in groups.values():
        assert rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
        assert rule["OverrideAction"] == {"None": {}}  # the groups block; not count-only
    (rate,) = [r for r in props["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert 100 <= rate["Statement"]["RateBasedStatement"]["Limit"] <= 10_000
    blocked = rate["Action"]["Block"]["CustomResponse"]
    assert blocked["ResponseCode"] == 429
    body = json.loads(props["CustomResponseBodies"][blocked["CustomResponseBodyKey"]]["Content"])
    assert body["code"] == "too_many_requests" and "försök igen" in body["message"]
    assert len({r["Priority"] for r in props["Rules"]}) == len(props["Rules"])

    (association,) = _of_type(demo, "AWS::WAFv2::WebACLAssociation").values()
    (acl_id,) = _of_type(demo, "AWS::WAFv2::WebACL")
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    arn = json.dumps(association["Properties"]["ResourceArn"])
    assert "/restapis/${RestAPI}/stages/${Stage}" in arn and "RestAPI.Stage" in arn

    (api,) = _of_type(demo, "AWS::Serverless::Api").values()
    (settings,) = api["Properties"]["MethodSettings"]
    assert settings["ResourcePath"] == "/*" and settings["HttpMethod"] == "*"
    assert settings["ThrottlingRateLimit"] > 0 and settings["ThrottlingBurstLimit"] >= settings["ThrottlingRateLimit"]


def _dashboard_body(dashboard: dict) -> str:
    """The dashboard's JSON body as text, CloudFormation's references in it as placeholders."""
    body = dashboard["Properties"]["DashboardBody"]
    if isinstance(body, str):
        return body
    return "".join(part if isinstance(part, str) else "<ref>" for part in body["Fn::Join"][1])


@pytest.mark.parametrize("region", ["demo", "norr"])
def test_each_region_has_a_usage_dashboard_with_the_statistics_figures_and_the_consumer_s_health(templates, region):
    from infra.region_settings import load as load_region
    from infra.stack import USAGE_GRAPHS

    template = templates[region][0]
    dashboards = list(_of_type(template, "AWS::CloudWatch::Dashboard").values())
    assert len(dashboards) == 1
    settings = load_region(region)
    assert dashboards[0]["Properties"]["DashboardName"] == f"{settings.stack_name}-anvandning"
    body = _dashboard_body(dashboards[0])
    widgets = json.loads(body.replace("<ref>", "REF"))["widgets"]
    graphs = [w for w in widgets if w["type"] == "metric"]
    titles = [w["properties"]["title"] for w in graphs]
    # one graph per group of figures the statistics page shows, then the event consumer's errors and age,
    # and its dead-letter queue's depth
    assert titles[:len(USAGE_GRAPHS)] == [title for title, _ in USAGE_GRAPHS] and len(graphs) == len(USAGE_GRAPHS) + 2
    drawn = {m[1] for w in graphs for m in w["properties"]["metrics"] if m[0] == "EServices"}
    assert drawn == {name for _, names in USAGE_GRAPHS for name in names}
    assert {"CitizenLoginSucceeded", "BookingCancelled", "BookingRebooked", "SummonsSentDigital",
            "SummonsSentPaper"} <= drawn  # fmt: skip
    health = [m for w in graphs[len(USAGE_GRAPHS):] for m in w["properties"]["metrics"]]
    assert {"Errors", "IteratorAge", "ApproximateNumberOfMessagesVisible"} <= {m[1] for m in health}
    assert settings.display_name in widgets[0]["properties"]["markdown"]
    assert all(w["width"] <= 24 for w in widgets)
