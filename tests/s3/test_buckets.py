"""Data roots in S3-compatible buckets, against a real S3 server (moto's standalone server)
on 127.0.0.1 that checks signatures: a private bucket read with credentials from the
environment or a profile, listings past one page, refused credentials, an object deleted
between listing and reading, the facts cache and shards on a bucket root.

tpqc runs as its own process here, with the credentials in its environment as a user sets
them (obstore's runtime never starts inside the test process)."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tpqc_testkit import REPO, write_mixed_dataset

_MISSING = [m for m in ("moto", "boto3", "obstore") if importlib.util.find_spec(m) is None]
if _MISSING:  # obstore is never imported here: its runtime stays out of the test process
    _WHY = f"the S3 tests need {', '.join(_MISSING)}: pip install 'tpqc[test]'"
    if os.environ.get("TPQC_REQUIRE_S3"):
        pytest.fail(_WHY, pytrace=False)
    pytest.skip(_WHY, allow_module_level=True)
import boto3  # noqa: E402

TPQC = str(Path(sys.executable).parent / "tpqc")

SERVER_ACTIONS_WITHOUT_AUTH = 3  # user, policy, key: every later call is signed
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class S3Server:
    """A running moto server, its request log and the one user allowed in."""

    def __init__(self, endpoint: str, log: Path, key: str, secret: str) -> None:
        self.endpoint, self.log, self.key, self.secret = endpoint, log, key, secret

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.key,
            aws_secret_access_key=self.secret,
        )

    def requests(self) -> list[str]:
        """The request lines the server has logged so far ("GET /bucket/key ...")."""
        return [
            line.split('"')[1]
            for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            if line.count('"') >= 2
        ]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    folder = tmp_path_factory.mktemp("moto")
    log = folder / "requests.log"
    port = _free_port()
    environment = {
        **os.environ,
        "INITIAL_NO_AUTH_ACTION_COUNT": str(SERVER_ACTIONS_WITHOUT_AUTH),
        "MOTO_ALLOW_NONEXISTENT_REGION": "true",
    }
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        iam = boto3.client(
            "iam",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam.create_user(UserName="curator")
        iam.put_user_policy(
            UserName="curator", PolicyName="s3", PolicyDocument=json.dumps(ALLOW_ALL)
        )
        key = iam.create_access_key(UserName="curator")["AccessKey"]
        yield S3Server(endpoint, log, key["AccessKeyId"], key["SecretAccessKey"])
    finally:
        server.terminate()
        server.wait(timeout=30)


class Curator:
    """The curator's environment (credentials, endpoint; no profile files, no instance
    look-up) and tpqc run in it."""

    def __init__(self, server: S3Server, home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.server = server
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env |= {
            "HOME": str(home),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": server.endpoint,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": server.key,
            "AWS_SECRET_ACCESS_KEY": server.secret,
        }

    def tpqc(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TPQC, *args],
            env=self.env,
            cwd=self.env["HOME"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


@pytest.fixture
def curator(s3_server: S3Server, tmp_path: Path) -> Curator:
    return Curator(s3_server, tmp_path / "home")


_BUCKETS = iter(range(1, 10_000))


def upload(server: S3Server, folder: Path, prefix: str) -> str:
    """Every file of folder into a new private bucket under prefix; returns the s3:// root."""
    bucket = f"private-{next(_BUCKETS)}-{os.getpid()}"
    client = server.client()
    client.create_bucket(Bucket=bucket, ACL="private")
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            client.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(folder)}")
    return f"s3://{bucket}/{prefix}"


@pytest.fixture(scope="session")
def mixed_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    write_mixed_dataset(folder, rasters=3, netcdfs=2, tables=2)
    return folder


def _facts(report: dict[str, Any]) -> list[dict[str, Any]]:
    keep = ("path", "sha256", "size", "kind")
    return [{k: entry.get(k) for k in keep} for entry in report["files"]]


def test_private_bucket_gives_the_same_report_as_local_files(
    curator: Curator, mixed_master: Path
) -> None:
    spec = str(mixed_master / "spec.yaml")
    root = upload(curator.server, mixed_master, "qilian/v1")
    local = curator.tpqc("validate", spec, "-f", "json", "-j", "1", "--no-cache")
    remote = curator.tpqc("validate", spec, "--data", root, "-f", "json", "-j", "2", "--no-cache")
    assert remote.returncode == local.returncode, remote.stderr
    mine, theirs = json.loads(local.stdout), json.loads(remote.stdout)
    assert len(theirs["files"]) == 7
    assert _facts(theirs) == _facts(mine)
    assert [(f["name"], f["path"]) for f in theirs["findings"]] == [
        (f["name"], f["path"]) for f in mine["findings"]
    ]
    anonymous = boto3.client(
        "s3",
        endpoint_url=curator.server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIANOBODY",
        aws_secret_access_key="x",
    )
    with pytest.raises(Exception, match="InvalidAccessKeyId"):
        anonymous.list_objects_v2(Bucket=root.split("/")[2])


def test_catalog_of_a_bucket_points_at_its_objects(
    curator: Curator, example: Path, tmp_path: Path
) -> None:
    root = upload(curator.server, example, "alt")
    out = tmp_path / "stac"
    result = curator.tpqc("stac", str(example / "spec.yaml"), "--data", root, "--out", str(out))
    assert result.returncode == 0, result.stderr
    item = json.loads(
        (out / "wudaoliang-alt" / "Wudaoliang_ALT_2017" / "Wudaoliang_ALT_2017.json").read_text()
    )
    assert item["assets"]["data"]["href"] == f"{root}/Wudaoliang_ALT_2017.tif"


def test_credentials_from_a_named_profile(curator: Curator, example: Path, tmp_path: Path) -> None:
    root = upload(curator.server, example, "alt")
    del curator.env["AWS_ACCESS_KEY_ID"], curator.env["AWS_SECRET_ACCESS_KEY"]
    aws = Path(curator.env["HOME"]) / ".aws"
    aws.mkdir()
    key, secret = curator.server.key, curator.server.secret
    (aws / "credentials").write_text(
        f"[curator]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
        encoding="utf-8",
    )
    curator.env["AWS_PROFILE"] = "curator"
    result = curator.tpqc("validate", str(example / "spec.yaml"), "--data", root, "-f", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["files"]) == 4


def test_listing_follows_pages_past_1000_keys(curator: Curator, tmp_path: Path) -> None:
    client = curator.server.client()
    bucket = f"many-{os.getpid()}"
    client.create_bucket(Bucket=bucket)
    names = [f"station_{k:04d}.csv" for k in range(1234)]
    for name in names:
        client.put_object(Bucket=bucket, Key=f"aws/{name}", Body=b"")
    client.put_object(Bucket=bucket, Key="elsewhere.csv", Body=b"")
    before = len(curator.server.requests())
    listed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; from tpqc.validators.engine.buckets import list_bucket; "
            "print(json.dumps(list_bucket(sys.argv[1])))",
            f"s3://{bucket}/aws",
        ],
        env=curator.env,
        cwd=tmp_path,  # not the checkout, whose bare folders would shadow the package
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(listed.stdout) == names
    listings = [r for r in curator.server.requests()[before:] if "list-type=2" in r]
    assert len(listings) == 2  # 1,000 keys, then the rest


def test_refused_credentials_are_a_clear_tool_error_without_secrets(
    curator: Curator, example: Path
) -> None:
    root = upload(curator.server, example, "alt")
    secret = curator.server.secret
    curator.env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret-" + secret[:8]
    result = curator.tpqc("validate", str(example / "spec.yaml"), "--data", root)
    assert result.returncode == 2
    assert "SignatureDoesNotMatch" in result.stderr and root in result.stderr
    assert secret[:8] not in result.stderr + result.stdout


def test_missing_credentials_are_a_clear_tool_error(curator: Curator, example: Path) -> None:
    root = upload(curator.server, example, "alt")
    del curator.env["AWS_ACCESS_KEY_ID"], curator.env["AWS_SECRET_ACCESS_KEY"]
    result = curator.tpqc("validate", str(example / "spec.yaml"), "--data", root)
    assert result.returncode == 2
    assert "AWS_ACCESS_KEY_ID" in result.stderr and "AWS_PROFILE" in result.stderr
    assert "Traceback" not in result.stderr


def test_object_deleted_between_listing_and_reading_is_a_finding(
    curator: Curator, example: Path, tmp_path: Path
) -> None:
    root = upload(curator.server, example, "alt")
    spec, facts = str(example / "spec.yaml"), tmp_path / "facts"
    listed = curator.tpqc("list", spec, "--data", root, "--facts-out", str(facts))
    assert listed.returncode == 0, listed.stderr
    curator.server.client().delete_object(
        Bucket=root.split("/")[2], Key="alt/Wudaoliang_ALT_2019.tif"
    )
    result = curator.tpqc(
        "validate", spec, "--data", root, "--shard", "1/1", "--facts-out", str(facts), "-f", "json"
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    errors = [(f["code"], f["path"], f["severity"]) for f in report["findings"]]
    assert ("R001", "Wudaoliang_ALT_2019.tif", "error") in errors
    assert any("404" in str(f["actual"]) for f in report["findings"])
    assert {f["path"] for f in report["findings"]} == {"Wudaoliang_ALT_2019.tif"}
    assert len(report["files"]) == 4


def test_facts_cache_hits_on_a_bucket_root_and_misses_a_replaced_object(
    curator: Curator, example: Path, tmp_path: Path
) -> None:
    root = upload(curator.server, example, "alt")
    bucket = root.split("/")[2]
    spec, cache = str(example / "spec.yaml"), str(tmp_path / "facts")

    def reads() -> list[str]:
        return [r for r in curator.server.requests() if r.startswith(f"GET /{bucket}/alt/")]

    cold = curator.tpqc("validate", spec, "--data", root, "-f", "json", "--cache", cache)
    after_cold = len(reads())
    warm = curator.tpqc("validate", spec, "--data", root, "-f", "json", "--cache", cache)
    assert (cold.returncode, warm.returncode) == (0, 0), warm.stderr
    assert after_cold >= 4 and len(reads()) == after_cold  # no object read again
    assert warm.stdout == cold.stdout
    curator.server.client().upload_file(
        str(example / "Wudaoliang_ALT_2017.tif"), bucket, "alt/Wudaoliang_ALT_2018.tif"
    )
    changed = curator.tpqc("validate", spec, "--data", root, "-f", "json", "--cache", cache)
    digests = {f["path"]: f["sha256"] for f in json.loads(changed.stdout)["files"]}
    assert digests["Wudaoliang_ALT_2018.tif"] == digests["Wudaoliang_ALT_2017.tif"]
    again = {r.split()[1] for r in reads()[after_cold:]}
    assert again == {f"/{bucket}/alt/Wudaoliang_ALT_2018.tif"}


def test_shards_on_a_bucket_root_merge_into_the_one_run_report(
    curator: Curator, example: Path, tmp_path: Path
) -> None:
    root = upload(curator.server, example, "alt")
    spec, facts = str(example / "spec.yaml"), tmp_path / "facts"
    for shard in ("1/2", "2/2"):
        result = curator.tpqc(
            "validate", spec, "--data", root, "--shard", shard, "--facts-out", str(facts), "-q"
        )
        assert result.returncode == 0, result.stderr
    merged = curator.tpqc("merge", str(facts), "-f", "json")
    one = curator.tpqc("validate", spec, "--data", root, "-f", "json", "--no-cache")
    assert merged.returncode == one.returncode == 0, merged.stderr
    assert merged.stdout == one.stdout


def test_bucket_roots_are_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "s3://" in readme and "AWS_ENDPOINT_URL" in readme
