"""Packaging: the card's folders install under tpqc.*, and nothing shadows PyPI packages."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tpqc_testkit import REPO


def test_pypi_validators_package_still_imports_beside_tpqc() -> None:
    import tpqc.validators
    import validators

    assert validators.email("curator@tpdc.ac.cn") is True
    assert validators.url("not a url") is not True
    assert tpqc.validators.__name__ == "tpqc.validators"
    assert Path(validators.__file__).parent.name == "validators"
    assert "site-packages" in validators.__file__


def test_card_folders_import_under_tpqc_namespace() -> None:
    import tpqc.schemas.spec
    import tpqc.stac
    import tpqc.validators.grid.checks

    assert tpqc.schemas.spec.__name__ == "tpqc.schemas.spec"
    assert tpqc.stac.__name__ == "tpqc.stac"
    assert "schemas" not in sys.modules or sys.modules["schemas"].__name__ != "tpqc.schemas"


def test_wheel_holds_nothing_outside_tpqc(tmp_path: Path) -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    source = tmp_path / "src"
    for name in tracked:
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=source,
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = out.glob("tpqc-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    outside = [n for n in names if not n.startswith(("tpqc/", "tpqc-"))]
    assert outside == []
    for expected in (
        "tpqc/validators/kinds/geotiff/reader.py",
        "tpqc/schemas/dataset-spec.schema.json",
        "tpqc/schemas/report.schema.json",
        "tpqc/stac/__init__.py",
        "tpqc/stac/stac-schemas.json",
        "tpqc/examples/wudaoliang/spec.yaml",
        "tpqc/py.typed",
    ):
        assert expected in names
