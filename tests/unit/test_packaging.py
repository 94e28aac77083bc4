"""Xuncha installs as one namespace, `xuncha.*`: nothing generic lands in site-packages, and
another distribution's `events` (or `api`, `commands`, `projections`) package cannot shadow ours."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _packages_on_disk() -> set[str]:
    src = ROOT / "src"
    found = set()
    for init in src.rglob("__init__.py"):
        if "node_modules" in init.parts:
            continue
        relative = init.parent.relative_to(src).parts
        found.add(".".join(("xuncha", *relative)))
    return found


def test_every_folder_of_src_is_a_listed_package_of_the_wheel() -> None:
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert set(listed) == _packages_on_disk()


def test_the_cli_runs_with_decoy_generic_packages_first_on_the_path(tmp_path: Path) -> None:
    for name in ("events", "commands", "projections", "api"):
        decoy = tmp_path / name
        decoy.mkdir()
        (decoy / "__init__.py").write_text("raise ImportError('a decoy package was imported')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    listed = subprocess.run(
        [sys.executable, "-m", "xuncha.api.cli", "events", "list"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    assert "inspection.closed " in listed.stdout


def test_the_wheel_installs_only_the_xuncha_namespace(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("xuncha-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {top for top in tops if not top.endswith(".dist-info")} == {"xuncha"}
    assert "xuncha/api/http/web/static/app.js" in names
    migrations = sorted((ROOT / "src/commands/eventstore/migrations").glob("*.sql"))
    assert migrations
    assert all(f"xuncha/commands/eventstore/migrations/{m.name}" in names for m in migrations)
    assert all(
        f"{package.replace('.', '/')}/__init__.py" in names for package in _packages_on_disk()
    )
