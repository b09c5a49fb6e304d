"""Where uploaded and generated files (blobs) are kept: a local directory or an S3 bucket.

``STORAGE_URL`` picks the back-end: unset, the local ``UPLOAD_DIR`` (one machine); a path or
``file:///srv/gongmo/blobs`` another directory; ``s3://bucket/prefix`` an S3-compatible store
(``S3_ENDPOINT_URL`` for one that is not AWS; credentials from the usual ``AWS_*`` variables
or boto3's other sources). The app keeps one ``Storage`` in ``app.extensions["storage"]``;
services reach it with ``storage.get()`` and never build a path to a blob themselves, so every
web node and worker sees the same files.

Keys are content-addressed (``ab/cd/abcd…``, the SHA-256 of the content): a key that exists
already holds the same bytes, so storing it again is a no-op. Reads are streams, never the whole
file in memory.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from flask import Flask, current_app

CHUNK = 64 * 1024
DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024
# S3 refuses parts under 5 MiB (all but the last), whatever the threshold.
MIN_PART_SIZE = 5 * 1024 * 1024


class StorageError(RuntimeError):
    pass


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise StorageError(f"not a storage key: {key!r}")
    return key


class Storage:
    """The interface both back-ends keep; ``url`` names the place for messages and logs."""

    url: str

    def put_file(self, key: str, path: str | os.PathLike) -> None:
        raise NotImplementedError

    def put_bytes(self, key: str, data: bytes) -> None:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the blob; FileNotFoundError when there is none."""
        raise NotImplementedError

    def size(self, key: str) -> int:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        """Remove the blob; a missing one is not an error."""
        raise NotImplementedError

    def keys(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        """(key, last modified in UTC) of every blob under ``prefix``."""
        raise NotImplementedError

    def last_modified(self, key: str) -> datetime | None:
        """When the blob was last written (or stored again); None when there is none."""
        raise NotImplementedError

    def iter_chunks(self, key: str, chunk: int = CHUNK) -> Iterator[bytes]:
        """The blob in chunks, closing the stream at the end (for streamed responses)."""
        with self.open(key) as stream:
            while data := stream.read(chunk):
                yield data


class LocalStorage(Storage):
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.url = str(self.root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put_file(self, key: str, path: str | os.PathLike) -> None:
        target = self.path(key)
        if target.exists():
            os.utime(target)  # young again: the orphan sweep leaves it to the row about to name it
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target under a dot-name (never listed) and renamed: a reader or a
        # second writer never sees half a file. A hard link costs nothing on the same disk.
        tmp = target.parent / f".{target.name}.{os.getpid()}.{threading.get_ident()}"
        try:
            try:
                os.link(path, tmp)
            except OSError:
                shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self.path(key)
        if target.exists():
            os.utime(target)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())  # the row that names it may be committed right after
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return open(self.path(key), "rb")

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def last_modified(self, key: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path(key).stat().st_mtime, timezone.utc)
        except FileNotFoundError:
            return None

    def keys(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))  # .incoming spools
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key, datetime.fromtimestamp(full.stat().st_mtime, timezone.utc)


class S3Storage(Storage):
    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
                 multipart_chunksize: int = DEFAULT_MULTIPART_THRESHOLD):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self.url = f"s3://{bucket}/{self.prefix}"
        self.multipart_threshold = multipart_threshold
        self.multipart_chunksize = max(multipart_chunksize, MIN_PART_SIZE)
        self._client = None
        self._lock = threading.Lock()

    @property
    def client(self):
        # Built on first use (a node that never touches a blob never imports boto3); clients
        # are thread-safe, their sessions are not, hence the lock.
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3
                    from botocore.config import Config

                    session = boto3.session.Session()
                    self._client = session.client(
                        "s3", endpoint_url=self.endpoint_url,
                        config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                      s3={"addressing_style": "path"} if self.endpoint_url else None),
                    )
        return self._client

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def _transfer_config(self):
        from boto3.s3.transfer import TransferConfig

        return TransferConfig(multipart_threshold=self.multipart_threshold,
                              multipart_chunksize=self.multipart_chunksize, use_threads=True)

    def _touch(self, key: str) -> bool:
        """Make an existing object young again (see ``LocalStorage.put_file``); False when there is none."""
        if not self.exists(key):
            return False
        # A copy onto itself is the only way S3 has to renew LastModified; it stays on the server.
        self.client.copy_object(Bucket=self.bucket, Key=self._key(key), MetadataDirective="REPLACE",
                                CopySource={"Bucket": self.bucket, "Key": self._key(key)})
        return True

    def put_file(self, key: str, path: str | os.PathLike) -> None:
        if self._touch(key):
            return
        # upload_file reads the file part by part (multipart above the threshold), never whole.
        self.client.upload_file(str(path), self.bucket, self._key(key), Config=self._transfer_config())

    def put_bytes(self, key: str, data: bytes) -> None:
        if self._touch(key):
            return
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise FileNotFoundError(key) from None
            raise

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise FileNotFoundError(key)
        return int(head["ContentLength"])

    def etag(self, key: str) -> str | None:
        """The object's ETag (``"…-N"`` for one uploaded in N parts); None when there is none."""
        head = self._head(key)
        return head["ETag"].strip('"') if head else None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def last_modified(self, key: str) -> datetime | None:
        head = self._head(key)
        return head["LastModified"].astimezone(timezone.utc) if head else None

    def keys(self, prefix: str = "") -> Iterator[tuple[str, datetime]]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for obj in page.get("Contents", ()):
                yield obj["Key"][len(self.prefix):], obj["LastModified"].astimezone(timezone.utc)


def from_url(url: str | None, *, default_dir: str | os.PathLike | None = None, endpoint_url: str | None = None,
             multipart_threshold: int = DEFAULT_MULTIPART_THRESHOLD,
             multipart_chunksize: int = DEFAULT_MULTIPART_THRESHOLD) -> Storage:
    """The back-end ``url`` names (see the module's docstring); ``default_dir`` when it is empty."""
    if not url:
        if default_dir is None:
            raise StorageError("no STORAGE_URL and no directory")
        return LocalStorage(default_dir)
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise StorageError(f"STORAGE_URL {url!r} names no bucket (s3://bucket/prefix)")
        return S3Storage(parts.netloc, parts.path, endpoint_url=endpoint_url,
                         multipart_threshold=multipart_threshold, multipart_chunksize=multipart_chunksize)
    if parts.scheme == "file":
        return LocalStorage(parts.path)
    if parts.scheme == "":
        return LocalStorage(url)
    raise StorageError(f"STORAGE_URL {url!r}: only a directory, file:// or s3:// is understood")


def for_config(config, url: str | None = None) -> Storage:
    """The back-end for ``url`` (default: the app's ``STORAGE_URL``) with the app's S3 settings."""
    threshold = int(config.get("STORAGE_MULTIPART_THRESHOLD") or DEFAULT_MULTIPART_THRESHOLD)
    return from_url(config.get("STORAGE_URL") if url is None else url, default_dir=config["UPLOAD_DIR"],
                    endpoint_url=config.get("S3_ENDPOINT_URL"), multipart_threshold=threshold,
                    multipart_chunksize=int(config.get("STORAGE_MULTIPART_CHUNKSIZE") or threshold))


def init_app(app: Flask) -> None:
    app.extensions["storage"] = for_config(app.config)


def get() -> Storage:
    return current_app.extensions["storage"]


def spool_dir() -> Path:
    """A local directory for uploads while they are hashed and checked, before ``put_file``."""
    path = Path(current_app.config["UPLOAD_DIR"]) / ".incoming"
    path.mkdir(parents=True, exist_ok=True)
    return path
