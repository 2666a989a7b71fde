"""Data roots in S3-compatible buckets (``s3://bucket/prefix`` or GDAL's
``/vsis3/bucket/prefix``): listed, sized, hashed and downloaded with obstore, read block by
block by GDAL's ``/vsis3/``. Credentials, region and endpoint come from the usual
environment (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``,
``AWS_REGION``, ``AWS_ENDPOINT_URL`` for MinIO, Ceph or OSS); an ``http://`` endpoint is
allowed as written. No secret is ever part of a message."""

from __future__ import annotations

import configparser
import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from tpqc.schemas.errors import TpqcError

PREFIXES = ("s3://", "/vsis3/")


class BucketError(TpqcError):
    """A bucket that cannot be listed or read (credentials, endpoint, permissions)."""


def bucket_location(location: str) -> tuple[str, str] | None:
    """(bucket, key) of an ``s3://`` or ``/vsis3/`` location, else None."""
    for prefix in PREFIXES:
        if location.startswith(prefix):
            bucket, _, key = location[len(prefix) :].partition("/")
            return bucket, key.strip("/")
    return None


def vsis3_path(location: str) -> str:
    """The path GDAL opens for a bucket location."""
    found = bucket_location(location)
    assert found is not None, location
    bucket, key = found
    return f"/vsis3/{bucket}/{key}"


@dataclass(frozen=True)
class BucketSettings:
    """Where and as whom buckets are read: from ``AWS_*`` variables first, then the named
    profile (``AWS_PROFILE``, default ``default``) of ``~/.aws/credentials`` and
    ``~/.aws/config`` (or ``AWS_SHARED_CREDENTIALS_FILE`` / ``AWS_CONFIG_FILE``)."""

    access_key_id: str | None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    region: str | None = None
    endpoint: str | None = None
    unsigned: bool = False

    def secrets(self) -> list[str]:
        """The values no message may show."""
        return [s for s in (self.secret_access_key, self.session_token, self.access_key_id) if s]


def _profile_sections(profile: str) -> tuple[dict[str, str], dict[str, str]]:
    """(credentials, config) of one profile from the shared AWS files; empty when absent."""
    home = Path.home() / ".aws"
    files = (
        (os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or str(home / "credentials"), profile),
        (
            os.environ.get("AWS_CONFIG_FILE") or str(home / "config"),
            profile if profile == "default" else f"profile {profile}",
        ),
    )
    found: list[dict[str, str]] = []
    for name, section in files:
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(name, encoding="utf-8")
        except (OSError, configparser.Error):
            found.append({})
            continue
        found.append(dict(parser[section]) if parser.has_section(section) else {})
    return found[0], found[1]


def bucket_settings() -> BucketSettings:
    """The settings the environment and the AWS profile files give (read once per process
    and environment: GDAL asks for them at every file)."""
    return _settings_for(
        tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))),
        os.environ.get("HOME", ""),
    )


@cache
def _settings_for(aws_variables: tuple[tuple[str, str], ...], home: str) -> BucketSettings:
    """``home`` only keys the cache: the profile files live under it (``Path.home()``)."""
    env = dict(aws_variables)
    credentials, config = _profile_sections(env.get("AWS_PROFILE") or "default")

    def pick(variable: str, key: str, *sections: dict[str, str]) -> str | None:
        value = env.get(variable)
        for section in sections:
            value = value or section.get(key)
        return value or None

    from_env = bool(env.get("AWS_ACCESS_KEY_ID"))
    source = {} if from_env else credentials
    return BucketSettings(
        access_key_id=pick("AWS_ACCESS_KEY_ID", "aws_access_key_id", source),
        secret_access_key=pick("AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", source),
        session_token=pick("AWS_SESSION_TOKEN", "aws_session_token", source),
        region=pick("AWS_REGION", "region", config) or env.get("AWS_DEFAULT_REGION"),
        endpoint=env.get("AWS_ENDPOINT_URL_S3") or pick("AWS_ENDPOINT_URL", "endpoint_url", config),
        unsigned=env.get("AWS_NO_SIGN_REQUEST", "").upper() in {"YES", "TRUE", "1"},
    )


def gdal_config() -> dict[str, str]:
    """GDAL's settings for the endpoint and region tpqc found (also from a profile's
    ``endpoint_url`` and ``region``), unless GDAL's own (``AWS_S3_ENDPOINT``) are set; GDAL
    reads the credentials, profiles included, itself."""
    settings = bucket_settings()
    config: dict[str, str] = {}
    if settings.endpoint and not os.environ.get("AWS_S3_ENDPOINT"):
        parsed = urlparse(settings.endpoint)
        config |= {
            "AWS_S3_ENDPOINT": parsed.netloc or parsed.path,
            "AWS_HTTPS": "NO" if parsed.scheme == "http" else "YES",
            "AWS_VIRTUAL_HOSTING": "FALSE",
        }
    if settings.region and not os.environ.get("AWS_REGION"):
        config["AWS_REGION"] = settings.region
    return config


_NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
    " naming a profile in ~/.aws/credentials (a public bucket: AWS_NO_SIGN_REQUEST=YES)"
)


def _reason(exc: BaseException) -> str:
    """obstore's message, first line only (the rest is a debug dump), without secrets; a
    failed look-up of instance credentials says that no credentials were found."""
    full = str(exc).strip()
    text = full.splitlines()[0] if full else type(exc).__name__
    if "169.254.169.254" in text or "169.254.170.2" in text:
        return _NO_CREDENTIALS
    text = re.sub(r" in [0-9.]+[mµn]?s - ", " - ", text).split("<?xml")[0].rstrip(": ")
    code = re.search(r"<Code>([^<]*)</Code>", full)
    message = re.search(r"<Message>([^<]*)</Message>", full)
    if code:
        text += f": {code.group(1)}" + (f" ({message.group(1)})" if message else "")
    for secret in bucket_settings().secrets():
        text = text.replace(secret, "********")
    text = re.sub(r"(Signature|Credential|X-Amz-Security-Token)=[^&\s]+", r"\1=********", text)
    return text


def _obstore() -> Any:
    """obstore, or a clear error naming the extra that installs it."""
    try:
        import obstore
    except ImportError:
        raise BucketError("reading s3:// roots needs obstore: pip install 'tpqc[s3]'") from None
    return obstore


def _store(bucket: str) -> Any:
    """The bucket's store for the settings in force now (stores are reused per settings)."""
    _obstore()
    return _store_with(bucket, bucket_settings())


_OTHER_PROVIDERS = (
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


RUNTIME_STARTED = False
"""True once a store exists in this process: obstore's async runtime then runs native
threads, and a fork could inherit a lock one of them holds (see parallel.start_method)."""


@cache
def _store_with(bucket: str, settings: BucketSettings) -> Any:
    global RUNTIME_STARTED
    from obstore.store import S3Store

    RUNTIME_STARTED = True

    config: dict[str, Any] = {}
    if settings.unsigned:
        config["skip_signature"] = True
    elif settings.access_key_id and settings.secret_access_key:
        config["access_key_id"] = settings.access_key_id
        config["secret_access_key"] = settings.secret_access_key
        if settings.session_token:
            config["session_token"] = settings.session_token
    elif os.environ.get("AWS_EC2_METADATA_DISABLED", "").lower() in {
        "true",
        "1",
        "yes",
    } and not any(os.environ.get(name) for name in _OTHER_PROVIDERS):
        raise BucketError(_NO_CREDENTIALS)
    if settings.region:
        config["region"] = settings.region
    if settings.endpoint:
        config["endpoint"] = settings.endpoint
    options = {"allow_http": True} if (settings.endpoint or "").startswith("http://") else {}
    return S3Store(bucket, config=config, client_options=options)  # type: ignore[arg-type]


def list_bucket(location: str) -> list[str]:
    """Every object below the location, as paths relative to it (pages followed)."""
    obstore = _obstore()
    found = bucket_location(location)
    assert found is not None, location
    bucket, key = found
    prefix = f"{key}/" if key else ""
    try:
        names = [
            str(entry["path"])[len(prefix) :]
            for page in obstore.list(_store(bucket), prefix=prefix or None)
            for entry in page
        ]
    except Exception as exc:  # obstore's errors: credentials, endpoint, permissions
        raise BucketError(f"cannot list {location}: {_reason(exc)}") from None
    return sorted(n for n in names if n and not n.endswith("/"))


def _object(location: str) -> tuple[Any, str]:
    found = bucket_location(location)
    assert found is not None, location
    return _store(found[0]), found[1]


def object_head(location: str) -> tuple[int, str, str]:
    """(size, ETag, last modified) of one object; OSError when it is gone or unreadable."""
    store, key = _object(location)
    obstore = _obstore()
    try:
        head = obstore.head(store, key)
    except Exception as exc:
        raise OSError(f"{location}: {_reason(exc)}") from None
    modified = head.get("last_modified")
    stamp = modified.isoformat() if isinstance(modified, dt.datetime) else str(modified)
    return int(head["size"]), str(head.get("e_tag") or ""), stamp


def object_sha256(location: str) -> str:
    """sha256 of one object, streamed once."""
    store, key = _object(location)
    obstore = _obstore()
    digest = hashlib.sha256()
    try:
        for chunk in obstore.get(store, key).stream(min_chunk_size=8 << 20):
            digest.update(chunk)
    except Exception as exc:
        raise OSError(f"{location}: {_reason(exc)}") from None
    return digest.hexdigest()


def download(location: str, target: Path) -> None:
    """One object into a local file (for readers that need a file: tables, NetCDF)."""
    store, key = _object(location)
    obstore = _obstore()
    try:
        with target.open("wb") as out:
            for chunk in obstore.get(store, key).stream(min_chunk_size=8 << 20):
                out.write(chunk)
    except Exception as exc:
        raise OSError(f"{location}: {_reason(exc)}") from None
