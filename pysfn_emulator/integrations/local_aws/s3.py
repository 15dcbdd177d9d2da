"""An in-memory S3: objects as text, in buckets created by their first putObject or declared.

    aws.s3.create_bucket("reports")
    aws.s3.put_text("reports", "in/orders.csv", "id,total\\n1,5\\n")
    aws.s3.text("reports", "out/summary.json")     # None when absent
    aws.s3.objects("reports")                      # {key: body}

getObject answers the body as text (as Step Functions' aws-sdk integration does for text
objects); a missing bucket is NoSuchBucket, a missing key NoSuchKey (both HTTP 404). putObject
answers the body's MD5 as ETag and its CRC32 (as AWS-recorded). Through a Task, Step Functions
sends putObject's Body as its JSON text, a string too (integration.py, `sent_params`).
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from datetime import UTC, datetime
from typing import Any

import attrs

from .ids import Budget, Ids
from .messages import as_text
from .service_failure import ServiceFailure

MAX_OBJECT_BYTES = 64 * 1024 * 1024  # the fake's bound on one object
MAX_OBJECTS = 100_000  # and on the objects of all buckets together
DEFAULT_NOW = datetime(2026, 1, 1, tzinfo=UTC)


@attrs.frozen
class StoredObject:
    body: str
    etag: str
    content_type: str
    metadata: dict
    last_modified: str

    @property
    def size(self) -> int:
        return len(self.body.encode("utf-8", "surrogatepass"))


class S3:
    """Buckets by name, each {key: StoredObject}."""

    ACTIONS = ("getObject", "putObject", "listObjectsV2", "deleteObject", "headObject")

    def __init__(self, ids: Ids, now: datetime | None = None, budget: Budget | None = None) -> None:
        self.ids = ids
        self.budget = budget or Budget()
        self.buckets: dict[str, dict[str, StoredObject]] = {}
        moment = (now or DEFAULT_NOW).astimezone(UTC)
        self.last_modified = moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- for tests ------------------------------------------------------------------------------

    def create_bucket(self, name: str) -> None:
        self.buckets.setdefault(name, {})

    def put_text(self, bucket: str, key: str, body: Any) -> None:
        """Store an object (text, or a JSON value stored as its JSON text)."""
        self.put_object({"Bucket": bucket, "Key": key, "Body": body})

    def text(self, bucket: str, key: str) -> str | None:
        stored = self.buckets.get(bucket, {}).get(key)
        return None if stored is None else stored.body

    def objects(self, bucket: str) -> dict[str, str]:
        return {key: stored.body for key, stored in sorted(self.buckets.get(bucket, {}).items())}

    def snapshot(self) -> dict:
        return {bucket: self.objects(bucket) for bucket in sorted(self.buckets)}

    # -- the API --------------------------------------------------------------------------------

    def put_object(self, params: dict) -> dict:
        bucket, key = self._bucket_name(params), self._key(params)
        body = params.get("Body", "")
        body = "" if body is None else as_text(body)
        stored_in = self.buckets.setdefault(bucket, {})
        if key not in stored_in and sum(len(objects) for objects in self.buckets.values()) >= MAX_OBJECTS:
            raise ServiceFailure("ServiceUnavailable", f"pysfn's local S3 holds at most {MAX_OBJECTS} objects", status=503)
        data = body.encode("utf-8", "surrogatepass")
        if len(data) > MAX_OBJECT_BYTES:
            raise ServiceFailure("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
        etag = '"' + hashlib.md5(data, usedforsecurity=False).hexdigest() + '"'
        content_type = params.get("ContentType") or "binary/octet-stream"
        metadata = params.get("Metadata") if isinstance(params.get("Metadata"), dict) else {}
        old = stored_in.get(key)
        self.budget.charge(len(data), old.size if old else 0,
                           lambda message: ServiceFailure("SlowDown", message, status=503))
        stored_in[key] = StoredObject(body, etag, content_type, dict(metadata), self.last_modified)
        checksum = base64.b64encode(struct.pack(">I", zlib.crc32(data))).decode()
        return {"ChecksumCRC32": checksum, "ChecksumType": "FULL_OBJECT", "ETag": etag, "ServerSideEncryption": "AES256"}

    def get_object(self, params: dict) -> dict:
        stored = self._stored(params)
        return {"AcceptRanges": "bytes", "ContentLength": stored.size, "ContentType": stored.content_type,
                "ETag": stored.etag, "LastModified": stored.last_modified, "Metadata": dict(stored.metadata),
                "ServerSideEncryption": "AES256", "Body": stored.body}  # the order Step Functions records

    def head_object(self, params: dict) -> dict:
        response = self.get_object(params)
        response.pop("Body")
        return response

    def delete_object(self, params: dict) -> dict:
        bucket, key = self._bucket_name(params), self._key(params)
        old = self._bucket(bucket).pop(key, None)
        if old is not None:
            self.budget.release(old.size)
        return {}

    def list_objects_v2(self, params: dict) -> dict:
        name = self._bucket_name(params)
        objects = self._bucket(name)
        prefix = params.get("Prefix") or ""
        max_keys = params.get("MaxKeys", 1000)
        if isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 0:
            raise ServiceFailure("InvalidArgument", "Provided max-keys not an integer or within integer range")
        after = params.get("ContinuationToken") or params.get("StartAfter") or ""
        keys = [key for key in sorted(objects) if key.startswith(prefix) and key > after]
        page, rest = keys[: min(max_keys, 1000)], keys[min(max_keys, 1000):]
        response: dict[str, Any] = {}
        if page:
            response["Contents"] = [{"ETag": objects[key].etag, "Key": key, "LastModified": objects[key].last_modified,
                                     "Size": objects[key].size, "StorageClass": "STANDARD"} for key in page]
        if params.get("ContinuationToken"):
            response["ContinuationToken"] = params["ContinuationToken"]
        response["IsTruncated"] = bool(rest)
        response["KeyCount"] = len(page)
        response["MaxKeys"] = max_keys
        response["Name"] = name
        if rest:
            response["NextContinuationToken"] = page[-1]
        response["Prefix"] = prefix
        if params.get("StartAfter"):
            response["StartAfter"] = params["StartAfter"]
        return response

    # -- helpers --------------------------------------------------------------------------------

    def _bucket_name(self, params: dict) -> str:
        bucket = params.get("Bucket") if isinstance(params, dict) else None
        if not isinstance(bucket, str) or not bucket:
            raise ServiceFailure("InvalidBucketName", "The specified bucket is not valid.")
        return bucket

    def _key(self, params: dict) -> str:
        key = params.get("Key")
        if not isinstance(key, str) or not key:
            raise ServiceFailure("InvalidArgument", "The request must name a Key.")
        return key

    def _bucket(self, name: str) -> dict[str, StoredObject]:
        if name not in self.buckets:
            raise ServiceFailure("NoSuchBucket", "The specified bucket does not exist", status=404)
        return self.buckets[name]

    def _stored(self, params: dict) -> StoredObject:
        bucket, key = self._bucket_name(params), self._key(params)
        stored = self._bucket(bucket).get(key)
        if stored is None:
            raise ServiceFailure("NoSuchKey", "The specified key does not exist.", status=404)
        return stored
