"""One region's stack: the Chalice app, its tables, schedules, messaging, storage and alarms.

Tables are derived from the app's own PynamoDB models, so the keys, indexes and TTL
attributes in AWS are the ones the code queries. The functions get explicit grants on exactly
those tables (Chalice's generated policy cannot see PynamoDB calls).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import (
    Aws,
    CfnOutput,
    Duration,
    Fn,
    RemovalPolicy,
    Stack,
)
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk import custom_resources
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from infra.asset import optimise
from infra.nag import suppress
from infra.region_settings import Oidc, RegionSettings

ROOT = Path(__file__).resolve().parents[1]
API_HANDLER = "APIHandler"  # the function Chalice makes for the routes
_KEY_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER, "B": dynamodb.AttributeType.BINARY}


BOOKING_CUTOFF_FUNCTION = "booking_cutoff"  # app.py's function the per-booking schedules invoke
# What the app does with its tables: items, queries, batches and transactions (no Scan, no table admin).
TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                 "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable")  # fmt: skip
FORM_PACKAGE_FUNCTION = "form_package"  # app.py's function a form package's one-time schedules invoke
EARLIER_OFFER_FUNCTION = "earlier_offer_expiry"  # app.py's function an earlier-time offer's expiry invokes

# In front of the app (the app's own limits per person, key and client are in chalicelib/domain/limits.py):
# API Gateway throttling for the whole stage, and per client address a WAF rate-based rule.
API_THROTTLE_RATE = 200  # requests a second, steady, across all clients
API_THROTTLE_BURST = 400
WAF_REQUESTS_PER_IP_PER_5_MINUTES = 3000  # staff share their workplace's address: generous on purpose
WAF_MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                           "AWSManagedRulesAmazonIpReputationList")  # fmt: skip


class ChaliceApp(Chalice):
    """`chalice.cdk.Chalice` whose code asset is made ready for a cold start (infra/asset.py: compiled
    bytecode, the runtime's own SDK, nothing that does not run) before CDK fingerprints it."""

    def _package_app(self) -> None:
        super()._package_app()
        deployment_zip = Path(self._sam_package_dir) / "deployment.zip"
        optimise(deployment_zip, deployment_zip)


def app_functions() -> dict[str, str]:
    """Each Lambda function Chalice makes from app.py (logical id) and the role Chalice gives it."""
    import app as chalice_app

    functions = {API_HANDLER: "ApiHandlerRole"}
    names = [f.name for f in chalice_app.app.pure_lambda_functions] + [s.name for s in chalice_app.app.event_sources]
    for name in names:
        logical_id = to_cfn_resource_name(name)
        functions[logical_id] = f"{logical_id}Role"
    return functions


FOLLOW_UPS_FUNCTION = "follow_ups"  # app.py's consumer of the events table's stream
# The events stream's batches: a hundred events a call to the follow-ups (the evening's releases are
# followed up a hundred at a time), and up to four batches of a shard at once (events of one thing
# stay in order: Lambda keeps one key's records on one of the four).
FOLLOW_UPS_BATCH_SIZE = 100
FOLLOW_UPS_PARALLELIZATION = 4


@dataclass(frozen=True)
class Job:
    """A function's timeout and memory; for a queue's worker, its queue (its maximum concurrency is
    app.py's @app.on_sqs_message, or the region's setting for the notifications)."""

    timeout: int  # seconds
    memory: int  # MB
    queue: str | None = None


# Per job, as each needs: the planners page and send messages, the release workers write fifty
# summonses a transaction, the print workers render 500 letters a file (fpdf2: CPU, so memory).
JOBS: dict[str, Job] = {
    "release_summons": Job(timeout=300, memory=256),
    "release_worker": Job(timeout=60, memory=256, queue="release"),
    "dispatch_notifications": Job(timeout=60, memory=256),
    "notification_worker": Job(timeout=120, memory=256, queue="notifications"),
    "print_batch": Job(timeout=300, memory=256),
    "print_worker": Job(timeout=300, memory=1024, queue="print"),
    FOLLOW_UPS_FUNCTION: Job(timeout=120, memory=512),
}
VISIBILITY_TIMES_TIMEOUT = 6  # AWS's advice for a queue feeding Lambda: six times the function's timeout
RELEASE_LATE_SECONDS = 600  # the release queue's oldest chunk waiting this long: the evening will be late
PRINT_FILES_KEPT_DAYS = 30  # the print batch's PDFs in S3 (the vendor fetches them the same evening)


def table_specs() -> list[dict[str, Any]]:
    """Each model's table: name suffix, keys, global indexes and TTL attribute."""
    from pynamodb.attributes import TTLAttribute

    from chalicelib.adapters import tables

    specs = []
    for model in tables.ALL_MODELS:
        schema = model._get_schema()
        types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}

        def keys(key_schema: list[dict[str, str]]) -> dict[str, str | None]:
            by_type = {k["KeyType"]: k["AttributeName"] for k in key_schema}
            return {"hash": by_type["HASH"], "range": by_type.get("RANGE")}

        specs.append(
            {
                "suffix": model.Meta.table_name.removeprefix(f"{tables.TABLE_PREFIX}-"),
                "keys": keys(schema["key_schema"]),
                "types": types,
                "indexes": [(i["index_name"], {**keys(i["key_schema"]), "projection": i["projection"]["ProjectionType"]})
                            for i in schema["global_secondary_indexes"]],  # fmt: skip
                "ttl": next(
                    (a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)), None
                ),
                "stream": getattr(model.Meta, "stream_view_type", None),
            }
        )
    return specs


class EServicesStack(Stack):
    def __init__(self, scope: Construct, region: RegionSettings, **kwargs: Any) -> None:
        super().__init__(scope, region.stack_name, description=f"E-tjänster för {region.display_name}", **kwargs)
        self.region_settings = region
        key = kms.Key(self, "DataKey", enable_key_rotation=True, description=f"{region.stack_name} data at rest")
        key.apply_removal_policy(RemovalPolicy.RETAIN)

        # The key that maps personnummer to opaque ids: generated here, never in a file, kept on delete.
        pnr_key = self._generated_secret(
            "PersonnummerLookupKey", "HMAC key for personnummer look-ups; losing it loses every citizen's mapping", key,
            "An HMAC key cannot rotate: every stored look-up would change.",
        )  # fmt: skip
        # Our private_key_jwt signing key is derived from this random secret (CloudFormation cannot make
        # a key pair); the public half is served at /.well-known/jwks.json for the providers.
        client_key = self._generated_secret(
            "OidcClientKey", "Seed of the e-services' OpenID Connect client signing key (private_key_jwt)", key,
            "Rotating means publishing the new key first; done by hand with the providers' key cache in mind.",
        )  # fmt: skip

        self.tables = self._tables(region, key)
        self.indexed_tables = [spec["suffix"] for spec in table_specs() if spec["indexes"]]
        attachments, access_logs = self._buckets(region, key)
        operators = sns.Topic(self, "OperatorAlarms", master_key=key, display_name=f"{region.display_name} drift")
        operators.add_subscription(subscriptions.EmailSubscription(region.operators_email))
        operators.add_to_resource_policy(_deny_insecure_transport(operators.topic_arn, "sns:Publish"))
        self.queues = self._queues(key)

        ses.EmailIdentity(self, "SenderDomain", identity=ses.Identity.domain(region.domain))
        self._sms_settings(region)

        booking_schedules = scheduler.CfnScheduleGroup(self, "BookingSchedules", name=f"{region.stack_name}-bookings")

        self.app = ChaliceApp(
            self,
            "App",
            source_dir=str(ROOT),
            stage_config={
                "api_gateway_stage": "api",
                "autogen_policy": False,
                "iam_policy_file": "policy-base.json",
                "lambda_memory_size": 512,
                "lambda_timeout": 30,
                "environment_variables": self._environment(region),
            },
        )
        # Chalice gives each function a role of its own when the policy is ours (iam_policy_file).
        # They run the same app code with the same settings, so each gets the same grants.
        self.roles = [self.app.get_role(role_name) for role_name in app_functions().values()]
        self._own_handlers()
        # The tables' rights in one managed policy every role shares: as an inline grant per role they
        # were 28 kB of the template per function, and CloudFormation takes at most 1 MB.
        self.table_access = iam.ManagedPolicy(
            self, "AppTableAccess", description="The app's functions read and write the region's tables and indexes",
            statements=[iam.PolicyStatement(actions=list(TABLE_ACTIONS), resources=[
                *(table.table_arn for table in self.tables.values()),
                *(f"{self.tables[suffix].table_arn}/index/*" for suffix in self.indexed_tables)])],
        )  # fmt: skip
        for role in self.roles:
            role.add_managed_policy(self.table_access)
            key.grant_encrypt_decrypt(role)
            pnr_key.grant_read(role)
            client_key.grant_read(role)
            for arn in (region.citizen_oidc.client_secret_arn, region.staff_oidc.client_secret_arn,
                        *region.journal_secret_arns.values(), *region.certificate_secret_arns.values()):
                if arn is None:
                    continue
                role.add_to_principal_policy(
                    iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[arn])
                )
            attachments.grant_read_write(role)
            for queue in self.work_queues().values():
                queue.grant_send_messages(role)
                queue.grant_consume_messages(role)
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["ses:SendEmail", "ses:SendRawEmail"],
                    resources=[f"arn:{Aws.PARTITION}:ses:{self.region}:{self.account}:identity/{region.domain}"],
                )
            )
            # SMS go to phone numbers, which have no ARN.
            role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))

        scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="EventBridge Scheduler invokes the app's functions",
        )
        self._schedules(region, scheduler_role)
        # One-time schedules per booking (the 24-hour cutoff) are created by the app in its own group.
        for role in self.roles:
            role.add_to_principal_policy(
                iam.PolicyStatement(
                    actions=["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule",
                             "scheduler:GetSchedule"],
                    resources=[f"arn:{Aws.PARTITION}:scheduler:{self.region}:{self.account}:schedule/"
                               f"{booking_schedules.name}/*"],
                )
            )  # fmt: skip
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["iam:PassRole"], resources=[scheduler_role.role_arn])
            )
        # The per-booking schedules invoke booking_cutoff; the functions that book need its ARN
        # (not booking_cutoff itself: a function cannot name its own ARN in CloudFormation).
        # Likewise a form package's parts invoke form_package, on their days.
        targets = {}
        for name, variable in ((BOOKING_CUTOFF_FUNCTION, "BOOKING_CUTOFF_TARGET_ARN"),
                               (FORM_PACKAGE_FUNCTION, "FORM_PACKAGE_TARGET_ARN"),
                               (EARLIER_OFFER_FUNCTION, "EARLIER_OFFER_TARGET_ARN")):  # fmt: skip
            target_id = to_cfn_resource_name(name)
            target = self.app.get_function(target_id)
            target.grant_invoke(scheduler_role)
            suppress(scheduler_role, f"AwsSolutions-IAM5[Resource::<{target_id}.Arn>:*]",
                     "CDK's invoke grant covers the function's versions and aliases only")  # fmt: skip
            targets[target_id] = (variable, target)
        for function in app_functions():
            for target_id, (variable, target) in targets.items():
                if function != target_id:
                    self.app.add_environment_variable(variable, target.function_arn, function)
            variables = {
                "BOOKING_SCHEDULE_GROUP": booking_schedules.name or "",
                "SCHEDULER_ROLE_ARN": scheduler_role.role_arn,
                "PNR_HMAC_KEY_ARN": pnr_key.secret_arn,
                "OIDC_CLIENT_KEY_ARN": client_key.secret_arn,
                "ATTACHMENTS_BUCKET": attachments.bucket_name,
                **{f"{name.upper()}_QUEUE_URL": q.queue_url for name, q in self.work_queues().items()},
            }
            for name, value in variables.items():
                self.app.add_environment_variable(name, value, function)

        # Each job's own timeout and memory (the stage's 30 s and 512 MB suit the API and the rest).
        for name, job in JOBS.items():
            function = self.app.sam_template.get_resource(to_cfn_resource_name(name))
            function.add_property_override("Timeout", job.timeout)
            function.add_property_override("MemorySize", job.memory)
        self._event_consumer(key)
        self._queue_workers(region)
        self._not_found_as_json()
        self._protect_api()
        self._alarms(operators)
        self._usage_dashboard(region)
        self._acknowledge_app_wildcards()
        CfnOutput(self, "AttachmentsAccessLogs", value=access_logs.bucket_name)

    def _own_handlers(self) -> None:
        """Each scheduled and stream function runs its own handler (chalicelib/functions/), which
        imports only what it needs, rather than app.py with every route."""
        from chalicelib.functions import HANDLERS

        for name, handler in HANDLERS.items():
            self.app.sam_template.get_resource(to_cfn_resource_name(name)).add_property_override("Handler", handler)

    def _event_consumer(self, key: kms.IKey) -> None:
        """The follow-ups function reads the events table's stream: failed records reported back
        (ReportBatchItemFailures) and retried from there, a poison batch halved until the bad record is
        alone, and after the retries the record's position goes to a dead-letter queue with an alarm."""
        events = self.tables["events"]
        function_id = to_cfn_resource_name(FOLLOW_UPS_FUNCTION)
        source = to_cfn_resource_name(f"{FOLLOW_UPS_FUNCTION}-dynamodb-event-source")
        dead_letters = sqs.Queue(self, "FollowUpsDeadLetters", encryption=sqs.QueueEncryption.KMS,
                                 encryption_master_key=key, enforce_ssl=True, retention_period=Duration.days(14))
        suppress(dead_letters, "AwsSolutions-SQS3", "This is a dead-letter queue.")
        function = self.app.sam_template.get_resource(function_id)
        for name, value in {
            "Stream": events.table_stream_arn,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 10,
            "MaximumRecordAgeInSeconds": 24 * 3600,
            "BatchSize": FOLLOW_UPS_BATCH_SIZE,
            "ParallelizationFactor": FOLLOW_UPS_PARALLELIZATION,
            "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": dead_letters.queue_arn}},
        }.items():
            function.add_property_override(f"Events.{source}.Properties.{name}", value)
        role = self.app.get_role(f"{function_id}Role")
        # CDK's grant_stream_read adds ListStreams on "*": name the table's own streams instead.
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                     "dynamodb:ListStreams"],
            resources=[events.table_stream_arn, f"{events.table_arn}/stream/*"]))  # fmt: skip
        dead_letters.grant_send_messages(role)
        self.queues["follow_ups_dead_letters"] = dead_letters  # _alarms pages the operators on any message in it

    def _queue_workers(self, region: RegionSettings) -> None:
        """Each work queue invokes its worker (app.py's @app.on_sqs_message): the real queue in place of
        Chalice's placeholder, failed chunks reported back one by one (ReportBatchItemFailures, as
        services/work.py answers), and at most so many workers at once — the notification workers as
        many as the region's setting, which the workers also read to pace themselves."""
        import app as chalice_app

        sources = {s.name: s for s in chalice_app.app.event_sources if getattr(s, "queue_arn", None)}
        for name, job in JOBS.items():
            if job.queue is None:
                continue
            function = self.app.sam_template.get_resource(to_cfn_resource_name(name))
            source = to_cfn_resource_name(f"{name}-sqs-event-source")
            concurrency = region.notification_workers if job.queue == "notifications" else \
                sources[name].maximum_concurrency  # fmt: skip
            for prop, value in {
                "Queue": self.queues[job.queue].queue_arn,
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": concurrency},
            }.items():
                function.add_property_override(f"Events.{source}.Properties.{prop}", value)

    def work_queues(self) -> dict[str, sqs.Queue]:
        """The queues the app works from; their dead-letter queues are for operators to inspect and redrive."""
        return {name: q for name, q in self.queues.items() if not name.endswith("_dead_letters")}

    # -- parts ------------------------------------------------------------------------------------

    def _acknowledge_app_wildcards(self) -> None:
        """The functions' wildcards, each bounded to this stack's own resources."""
        own_key = "CDK's grant on this stack's own KMS key (data-key operations)"
        own_bucket = "CDK's read/write grant on the attachments bucket only"
        findings = {
            "Action::kms:GenerateDataKey*": own_key,
            "Action::kms:ReEncrypt*": own_key,
            "Action::s3:Abort*": own_bucket,
            "Action::s3:DeleteObject*": own_bucket,
            "Action::s3:GetBucket*": own_bucket,
            "Action::s3:GetObject*": own_bucket,
            "Action::s3:List*": own_bucket,
            f"Resource::<{self.get_logical_id(self.node.find_child('Attachments').node.default_child)}.Arn>/*":
                "Objects in the attachments bucket, whose keys the app creates per message",
            "Resource::*": "sns:Publish for SMS: a phone number has no ARN to name",
            f"Resource::arn:<AWS::Partition>:scheduler:{self.region_settings.aws_region}:<AWS::AccountId>:schedule/"
            f"{self.region_settings.stack_name}-bookings/*":
                "One-time cutoff schedules per booking, only inside the app's own schedule group",
            "Resource::arn:*:logs:*:*:*": "Lambda writes its own log streams (.chalice/policy-base.json)",
        }  # fmt: skip
        events = self.get_logical_id(self.tables["events"].node.default_child)
        findings[f"Resource::<{events}.Arn>/stream/*"] = "The follow-ups read the events table's own streams only"
        for suffix in self.indexed_tables:
            logical = self.get_logical_id(self.tables[suffix].node.default_child)
            findings[f"Resource::<{logical}.Arn>/index/*"] = "Queries on this table's own global secondary indexes"
        for finding, reason in findings.items():
            for construct in (self.app, self.table_access):
                suppress(construct, f"AwsSolutions-IAM5[{finding}]", reason)

    def _environment(self, region: RegionSettings) -> dict[str, str]:
        env = {
            "DEPLOYMENT": "aws",
            "REGION_NAME": region.display_name,
            "REGION_HSA_ID": region.region_hsa_id,
            "PUBLIC_BASE_URL": f"https://{region.domain}",
            "TABLE_PREFIX": region.table_prefix,
            **self._oidc_environment("CITIZEN", region.citizen_oidc),
            **self._oidc_environment("STAFF", region.staff_oidc),
            "SES_SENDER": region.ses_sender,
            "SMS_SENDER_ID": region.sms_sender_id,
            "ESERVICES_ENABLED": json.dumps(region.eservices, separators=(",", ":")),
            "POWERTOOLS_SERVICE_NAME": "eservices",
            "POWERTOOLS_METRICS_NAMESPACE": "EServices",
            # The notification workers' pace: the region's SES and SNS quotas, shared by as many
            # workers as the notifications queue runs at once (_queue_workers).
            "EMAIL_SENDS_PER_SECOND": f"{region.email_per_second:g}",
            "SMS_SENDS_PER_SECOND": f"{region.sms_per_second:g}",
            "NOTIFICATION_WORKERS": str(region.notification_workers),
        }
        if region.staff_oidc.hsa_id_claim:
            env["STAFF_HSA_ID_CLAIM"] = region.staff_oidc.hsa_id_claim
        if region.journal_sources:
            env["JOURNAL_SOURCES"] = json.dumps([{k: v for k, v in s.items() if k != "secret_arn"}
                                                 for s in region.journal_sources], separators=(",", ":"))  # fmt: skip
            env.update(region.journal_secret_arns)
        if region.journal_rules is not None:
            env["JOURNAL_RULES"] = json.dumps(region.journal_rules, separators=(",", ":"))
        if region.certificate_receivers:
            env["CERTIFICATE_RECEIVERS"] = json.dumps([{k: v for k, v in r.items() if k != "secret_arn"}
                                                       for r in region.certificate_receivers], separators=(",", ":"))  # fmt: skip
            env.update(region.certificate_secret_arns)
        return env

    def _generated_secret(self, name: str, description: str, key: kms.IKey, why_no_rotation: str) -> secretsmanager.Secret:
        """A random secret made here, never in a file, kept when the stack is deleted."""
        secret = secretsmanager.Secret(
            self,
            name,
            description=description,
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=RemovalPolicy.RETAIN,
        )
        suppress(secret, "AwsSolutions-SMG4", why_no_rotation)
        return secret

    @staticmethod
    def _oidc_environment(prefix: str, oidc: Oidc) -> dict[str, str]:
        env = {
            f"{prefix}_OIDC_ISSUER": oidc.issuer,
            f"{prefix}_OIDC_CLIENT_ID": oidc.client_id,
            f"{prefix}_OIDC_CLIENT_AUTH": oidc.client_auth,
        }
        if oidc.client_secret_arn:
            env[f"{prefix}_OIDC_CLIENT_SECRET_ARN"] = oidc.client_secret_arn
        if oidc.scopes:
            env[f"{prefix}_OIDC_SCOPES"] = " ".join(oidc.scopes)
        if oidc.acr_values:
            env[f"{prefix}_OIDC_ACR_VALUES"] = " ".join(oidc.acr_values)
        return env

    def _tables(self, region: RegionSettings, key: kms.IKey) -> dict[str, dynamodb.Table]:
        tables = {}
        for spec in table_specs():
            hash_key, range_key = spec["keys"]["hash"], spec["keys"]["range"]
            table = dynamodb.Table(
                self,
                "Table" + "".join(p.capitalize() for p in spec["suffix"].split("-")),
                table_name=f"{region.table_prefix}-{spec['suffix']}",
                partition_key=dynamodb.Attribute(name=hash_key, type=_KEY_TYPES[spec["types"][hash_key]]),
                sort_key=dynamodb.Attribute(name=range_key, type=_KEY_TYPES[spec["types"][range_key]])
                if range_key
                else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                deletion_protection=True,
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=key,
                time_to_live_attribute=spec["ttl"],
                stream=dynamodb.StreamViewType(spec["stream"]) if spec["stream"] else None,
                removal_policy=RemovalPolicy.RETAIN,
            )
            for index_name, index_keys in spec["indexes"]:
                table.add_global_secondary_index(
                    index_name=index_name,
                    partition_key=dynamodb.Attribute(
                        name=index_keys["hash"], type=_KEY_TYPES[spec["types"][index_keys["hash"]]]
                    ),
                    sort_key=dynamodb.Attribute(
                        name=index_keys["range"], type=_KEY_TYPES[spec["types"][index_keys["range"]]]
                    )
                    if index_keys["range"]
                    else None,
                    projection_type=dynamodb.ProjectionType(index_keys.get("projection", "ALL")),
                )
            tables[spec["suffix"]] = table
        return tables

    def _buckets(self, region: RegionSettings, key: kms.IKey) -> tuple[s3.Bucket, s3.Bucket]:
        access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 server access logging cannot write to SSE-KMS
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        suppress(access_logs, "AwsSolutions-S1", "This is the access-log bucket itself.")
        attachments = s3.Bucket(
            self,
            "Attachments",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="attachments/",
            # Uploads no message took within a day (the app copies taken ones to messages/).
            lifecycle_rules=[
                s3.LifecycleRule(
                    prefix="incoming/",
                    expiration=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                ),
                # The evening's print files: fetched by the vendor that evening, kept a while for a reprint.
                s3.LifecycleRule(
                    prefix="print-batches/",
                    expiration=Duration.days(PRINT_FILES_KEPT_DAYS),
                    noncurrent_version_expiration=Duration.days(1),
                ),
                # A form's answer made into a PDF for one download (services/form_admin.py): a day, then gone.
                s3.LifecycleRule(
                    prefix="form-exports/",
                    expiration=Duration.days(1),
                    noncurrent_version_expiration=Duration.days(1),
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        return attachments, access_logs

    def _queues(self, key: kms.IKey) -> dict[str, sqs.Queue]:
        """The batch work fanned out to workers (the summons release, the notification dispatch, the
        print batch); each with a dead-letter queue after five receives, and a visibility timeout of
        six times its worker's timeout."""
        queues = {}
        workers = {job.queue: job for job in JOBS.values() if job.queue}
        for name in ("release", "notifications", "print"):
            title = name.capitalize()
            dead_letters = sqs.Queue(
                self,
                f"{title}DeadLetters",
                encryption=sqs.QueueEncryption.KMS,
                encryption_master_key=key,
                enforce_ssl=True,
                retention_period=Duration.days(14),
            )
            suppress(dead_letters, "AwsSolutions-SQS3", "This is a dead-letter queue.")
            queues[name] = sqs.Queue(
                self,
                f"{title}Queue",
                encryption=sqs.QueueEncryption.KMS,
                encryption_master_key=key,
                enforce_ssl=True,
                visibility_timeout=Duration.seconds(VISIBILITY_TIMES_TIMEOUT * workers[name].timeout),
                dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=5),
            )
            queues[f"{name}_dead_letters"] = dead_letters
        return queues

    def _schedules(self, region: RegionSettings, scheduler_role: iam.Role) -> None:
        from schedules import SCHEDULES

        for definition in SCHEDULES:
            logical_id = to_cfn_resource_name(definition.function)
            function = self.app.get_function(logical_id)
            function.grant_invoke(scheduler_role)
            suppress(scheduler_role, f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                     "CDK's invoke grant covers the scheduled function's versions and aliases only")  # fmt: skip
            scheduler.CfnSchedule(
                self,
                f"Schedule{definition.name.title().replace('-', '')}",
                name=f"{region.stack_name}-{definition.name}",
                description=definition.description,
                schedule_expression=definition.expression,
                schedule_expression_timezone=definition.timezone,
                flexible_time_window=scheduler.CfnSchedule.FlexibleTimeWindowProperty(mode="OFF"),
                target=scheduler.CfnSchedule.TargetProperty(
                    arn=function.function_arn,
                    role_arn=scheduler_role.role_arn,
                    retry_policy=scheduler.CfnSchedule.RetryPolicyProperty(maximum_retry_attempts=3),
                ),
            )

    def _sms_settings(self, region: RegionSettings) -> None:
        """SNS's SMS settings are account-level API calls with no CloudFormation resource: set them
        from the settings file through a custom resource, so nothing is edited in the console."""
        call = custom_resources.AwsSdkCall(
            service="SNS",
            action="setSMSAttributes",
            parameters={"attributes": {"DefaultSMSType": "Transactional", "DefaultSenderID": region.sms_sender_id}},
            physical_resource_id=custom_resources.PhysicalResourceId.of(f"{region.stack_name}-sms-settings"),
        )
        sms = custom_resources.AwsCustomResource(
            self,
            "SmsSettings",
            on_create=call,
            on_update=call,
            policy=custom_resources.AwsCustomResourcePolicy.from_statements(
                [iam.PolicyStatement(actions=["sns:SetSMSAttributes"], resources=["*"])]
            ),
            install_latest_aws_sdk=False,
        )
        suppress(sms, "AwsSolutions-IAM5[Resource::*]", "sns:SetSMSAttributes is account-wide and has no resource ARN")
        # CDK's singleton provider function for AwsCustomResource, created at stack level.
        provider = self.node.find_child("AWS679f53fac002430cb0da5b7982bd2287")
        suppress(provider, "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                 "AWSLambdaBasicExecutionRole]", "CDK's custom-resource provider only writes its own logs")
        suppress(provider, "AwsSolutions-L1", "The runtime of CDK's custom-resource provider is chosen by aws-cdk-lib")

    def _not_found_as_json(self) -> None:
        """API Gateway answers a path without a route with 403 'Missing Authentication Token';
        say 404 in the app's own error shape instead (local/gateway.py does the same locally)."""
        apigateway.CfnGatewayResponse(
            self,
            "UnknownRouteIsNotFound",
            rest_api_id=self.app.sam_template.get_resource("RestAPI").ref,
            response_type="MISSING_AUTHENTICATION_TOKEN",
            status_code="404",
            response_templates={
                "application/json": json.dumps({"code": "not_found", "message": "Adressen finns inte. / No such address."})
            },
        )

    def _protect_api(self) -> None:
        """API Gateway throttling on every method of the stage, and an AWS WAF web ACL on the stage:
        AWS's managed rule groups (common exploits, known bad inputs, IP reputation) and a rate-based
        rule per client address that answers 429 with a code and a Swedish message."""
        rest_api = self.app.sam_template.get_resource("RestAPI")
        rest_api.add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*",
            "ThrottlingRateLimit": API_THROTTLE_RATE, "ThrottlingBurstLimit": API_THROTTLE_BURST,
        }])  # fmt: skip

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            )

        rules = []
        for priority, group in enumerate(WAF_MANAGED_RULE_GROUPS):
            overrides = None
            if group == "AWSManagedRulesCommonRuleSet":
                # The rule set blocks bodies over 8 KB; a care message may be 20,000 characters and the
                # app refuses bodies over 1 MB itself. Counted, so operators still see them.
                overrides = [wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name="SizeRestrictions_BODY", action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}))]  # fmt: skip
            rules.append(wafv2.CfnWebACL.RuleProperty(
                name=group, priority=priority,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group, rule_action_overrides=overrides)),
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                visibility_config=visibility(group),
            ))  # fmt: skip
        rules.append(wafv2.CfnWebACL.RuleProperty(
            name="RequestsPerClient", priority=len(rules),
            statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                limit=WAF_REQUESTS_PER_IP_PER_5_MINUTES, aggregate_key_type="IP", evaluation_window_sec=300)),
            action=wafv2.CfnWebACL.RuleActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429, custom_response_body_key="too_many_requests",
                    response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Retry-After", value="300")]))),
            visibility_config=visibility("RequestsPerClient"),
        ))  # fmt: skip
        acl = wafv2.CfnWebACL(
            self,
            "ApiFirewall",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=rules,
            custom_response_bodies={"too_many_requests": wafv2.CfnWebACL.CustomResponseBodyProperty(
                content_type="APPLICATION_JSON",
                content=json.dumps({"code": "too_many_requests",
                                    "message": "För många anrop. Vänta några minuter och försök igen."},
                                   ensure_ascii=False))},
            visibility_config=visibility("ApiFirewall"),
        )  # fmt: skip
        # `RestAPI.Stage` is SAM's reference to the stage it makes: the association waits for it.
        stage_arn = Fn.sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/${Stage}",
                           {"Stage": Fn.ref("RestAPI.Stage")})  # fmt: skip
        wafv2.CfnWebACLAssociation(self, "ApiFirewallAssociation", resource_arn=stage_arn, web_acl_arn=acl.attr_arn)

    def _usage_dashboard(self, region: RegionSettings) -> None:
        """The region's usage at a glance (issue 22): per day, the same things the staff statistics page
        counts per month, and the event consumer's health (errors, the oldest record's age, dead letters)."""

        def emf(name: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(namespace="EServices", metric_name=name, dimensions_map={"service": "eservices"},
                                     statistic="Sum", period=Duration.days(1))  # fmt: skip

        consumer = self.app.get_function(to_cfn_resource_name(FOLLOW_UPS_FUNCTION))
        widgets: list[cloudwatch.IWidget] = [cloudwatch.TextWidget(markdown=(
            f"# Användning, {region.display_name}\n"
            "Per dag, som appen registrerar det. Exakta månadssiffror per enhet och för regionen: "
            "personalverktygets sida Statistik (/staff/statistics)."), width=24, height=2)]  # fmt: skip
        widgets += [cloudwatch.GraphWidget(title=title, left=[emf(name) for name in names], width=8, height=6)
                    for title, names in USAGE_GRAPHS]  # fmt: skip
        widgets.append(cloudwatch.GraphWidget(
            title="Händelsekonsumenten: fel och äldsta händelsens ålder",
            left=[consumer.metric_errors(statistic="Sum", period=Duration.minutes(5))],
            right=[consumer.metric("IteratorAge", statistic="Maximum", period=Duration.minutes(5))],
            width=8, height=6))  # fmt: skip
        widgets.append(cloudwatch.GraphWidget(
            title="Händelser som gav upp (dead-letter-kö)",
            left=[self.queues["follow_ups_dead_letters"].metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=Duration.minutes(5))], width=8, height=6))  # fmt: skip
        rows = [widgets[:1], *(widgets[n:n + 3] for n in range(1, len(widgets), 3))]  # three graphs a row
        cloudwatch.Dashboard(self, "UsageDashboard", dashboard_name=f"{region.stack_name}-anvandning",
                             start=USAGE_DASHBOARD_RANGE, widgets=rows)  # fmt: skip

    def _alarms(self, operators: sns.ITopic) -> None:
        """Page the operators on any function error or throttle, and on anything left in a dead-letter queue."""
        watched = []
        for logical_id in app_functions():
            function = self.app.get_function(logical_id)
            watched += [
                (f"{logical_id}Errors", f"{logical_id} errors", function.metric_errors(statistic="Sum")),
                (f"{logical_id}Throttles", f"{logical_id} throttles", function.metric_throttles(statistic="Sum")),
            ]
        watched.append(("NotificationsGaveUp", "Notifications that failed after the last retry",
                        cloudwatch.Metric(namespace="EServices", metric_name="NotificationGaveUp",
                                          dimensions_map={"service": "eservices"}, statistic="Sum")))  # fmt: skip
        # A send whose outcome is unknown is not retried (it could tell someone twice): a person checks.
        watched.append(("NotificationsUncertain", "E-mail or SMS that SES/SNS may or may not have accepted",
                        cloudwatch.Metric(namespace="EServices", metric_name="NotificationUncertain",
                                          dimensions_map={"service": "eservices"}, statistic="Sum")))  # fmt: skip
        watched.append(("ReleaseLate", "The evening's release has chunks waiting for ten minutes",
                        self.queues["release"].metric_approximate_age_of_oldest_message(statistic="Maximum"),
                        RELEASE_LATE_SECONDS))
        for name, queue in self.queues.items():
            if name.endswith("_dead_letters"):
                watched.append((f"{name.title().replace('_', '')}Depth", f"Messages that gave up after retries in {name}",
                                queue.metric_approximate_number_of_messages_visible()))  # fmt: skip
        for alarm_id, description, metric, *threshold in watched:
            alarm = metric.with_(period=Duration.minutes(5)).create_alarm(
                self,
                alarm_id,
                alarm_description=description,
                threshold=threshold[0] if threshold else 1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(operators))


# The usage dashboard's graphs: (title, the EMF metrics drawn, chalicelib/observability.record_metric). The
# staff statistics page (domain/usage.py) has the exact monthly figures, each event counted once; these
# are the same things as the app records them, at least once, by the day.
USAGE_GRAPHS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Inloggningar (invånare)", ("CitizenLoginSucceeded",)),
    ("Meddelanden till invånare", ("InboxMessageDelivered",)),
    ("Ärenden från invånare", ("CaseSent",)),
    ("Bokningar: bokade, avbokade, ombokade", ("BookingBooked", "BookingCancelled", "BookingRebooked")),
    ("Kallelser: digitalt och på papper", ("SummonsSentDigital", "SummonsSentPaper")),
    ("Hemtester: beställda och svar", ("KitOrdered", "LabResultDelivered")),
    ("Formulär: skickade och besvarade", ("FormSent", "FormAnswered")),
    ("Tidigare tider: erbjudna och antagna", ("EarlierTimeOffered", "EarlierTimeAccepted")),
    ("Händelser: följda upp och räknade i statistiken", ("EventFollowedUp", "UsageEventCounted")),
)
USAGE_DASHBOARD_RANGE = "-P3M"  # three months back by default; a reader picks another range in the console


def _deny_insecure_transport(resource_arn: str, action: str) -> iam.PolicyStatement:
    return iam.PolicyStatement(
        effect=iam.Effect.DENY,
        principals=[iam.AnyPrincipal()],
        actions=[action],
        resources=[resource_arn],
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )
