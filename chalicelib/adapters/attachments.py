"""Attachment files in S3 and their upload slots in DynamoDB.

A care system uploads straight to S3 with a presigned POST (a Lambda request could not carry
10 MB), under `incoming/`, where a lifecycle rule removes what no message took within a day.
A message that takes a file copies it to `messages/` (same id, so a retried delivery writes the
same object) and only then records it; the citizen downloads through a presigned GET that
lives a minute. The evening's print batch is made here too, as PDFs under `print-batches/`. The
bucket encrypts every object with the region's KMS key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import quote

from botocore.config import Config
from botocore.exceptions import ClientError
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters import aws
from chalicelib.adapters.tables import AttachmentUpload
from chalicelib.domain.attachments import MAX_BYTES, SNIFF_BYTES

UPLOAD_SECONDS = 15 * 60
DOWNLOAD_SECONDS = 60
SLOT_DAYS = 1


@dataclass(frozen=True, slots=True)
class UploadedFile:
    size_bytes: int
    first_bytes: bytes


class AttachmentFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        # SigV4 for presigned URLs (KMS-encrypted objects need it); path style so the local
        # moto address works in a browser.
        config = Config(signature_version="s3v4", s3={"addressing_style": "path"})
        return aws.client("s3", config=config)

    def upload_form(self, attachment_id: str, content_type: str) -> dict[str, Any]:
        """A presigned POST that S3 accepts only for this key and type, and at most 10 MB."""
        return dict(
            self._s3.generate_presigned_post(
                self.bucket,
                f"incoming/{attachment_id}",
                Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
                ExpiresIn=UPLOAD_SECONDS,
            )
        )

    def uploaded(self, attachment_id: str) -> UploadedFile | None:
        """Size and first bytes of an uploaded file, or None when nothing was uploaded."""
        try:
            response = self._s3.get_object(
                Bucket=self.bucket, Key=f"incoming/{attachment_id}", Range=f"bytes=0-{SNIFF_BYTES - 1}"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404", "InvalidRange"):
                return None
            raise
        total = int(response["ContentRange"].rsplit("/", 1)[1]) if "ContentRange" in response else None
        first = response["Body"].read()
        return UploadedFile(size_bytes=total if total is not None else len(first), first_bytes=first)

    def keep(self, attachment_id: str, content_type: str) -> None:
        """Copy the upload to where messages keep their files (the same key on a retry)."""
        self._s3.copy_object(
            Bucket=self.bucket,
            Key=f"messages/{attachment_id}",
            CopySource={"Bucket": self.bucket, "Key": f"incoming/{attachment_id}"},
            ContentType=content_type,
            MetadataDirective="REPLACE",
        )

    def put(self, attachment_id: str, content: bytes, content_type: str) -> None:
        """A file the app itself makes (a calendar file for a booking)."""
        self._s3.put_object(Bucket=self.bucket, Key=f"messages/{attachment_id}", Body=content, ContentType=content_type)

    def put_generated(self, key: str, content: bytes, content_type: str) -> None:
        """A file the app makes for others to fetch (a print batch's PDFs under print-batches/, which
        the bucket keeps for a while, then removes): the same key again overwrites it."""
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=content, ContentType=content_type)

    def generated_url(self, key: str, filename: str, content_type: str, seconds: int = DOWNLOAD_SECONDS) -> str:
        """A presigned GET for such a file that lives `seconds`."""
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        return str(self._s3.generate_presigned_url("get_object", Params={
            "Bucket": self.bucket, "Key": key, "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type}, ExpiresIn=seconds))  # fmt: skip

    def download_url(self, attachment_id: str, filename: str, content_type: str, folder: str = "messages") -> str:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        return str(
            self._s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": f"{folder}/{attachment_id}",
                    "ResponseContentDisposition": disposition,
                    "ResponseContentType": content_type,
                },
                ExpiresIn=DOWNLOAD_SECONDS,
            )
        )

    def create_bucket(self) -> None:
        """Local stack and tests only; infra/ creates the bucket in AWS."""
        region = self._s3.meta.region_name
        self._s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": region})


class AttachmentUploads:
    def create(
        self, attachment_id: str, client_key_id: str, unit_hsa_id: str, filename: str, content_type: str, now: datetime
    ) -> None:
        AttachmentUpload(
            attachment_id,
            client_key_id=client_key_id,
            unit_hsa_id=unit_hsa_id,
            filename=filename,
            content_type=content_type,
            created_at=now,
            expires_at=now + timedelta(days=SLOT_DAYS),
        ).save(condition=AttachmentUpload.attachment_id.does_not_exist())

    def take(self, attachment_ids: list[str], client_key_id: str, owner_id: str) -> bool:
        """Mark uploads as used by something other than a message (an appointment's summons), all
        or none; False when one was taken first."""
        try:
            with TransactWrite(connection=AttachmentUpload._get_connection().connection) as tx:
                for attachment_id in attachment_ids:
                    tx.update(AttachmentUpload(attachment_id),
                              actions=[AttachmentUpload.message_id.set(owner_id), AttachmentUpload.expires_at.remove()],
                              condition=AttachmentUpload.message_id.does_not_exist()
                              & (AttachmentUpload.client_key_id == client_key_id))  # fmt: skip
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                return False
            raise
        return True

    def get_many(self, attachment_ids: list[str]) -> dict[str, AttachmentUpload]:
        if not attachment_ids:
            return {}
        return {u.attachment_id: u for u in AttachmentUpload.batch_get(sorted(set(attachment_ids)))}
