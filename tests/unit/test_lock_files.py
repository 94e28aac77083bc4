"""The lock files the README's commands install from agree with pyproject.toml: every
dependency is locked at a version its specifier allows, and both locks pin a shared package
at the same version. A failure here means: run ./scripts/lock and commit its output."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    return {canonicalize_name(n): v for n, v in PINNED.findall(text)}


def requirements(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(r) for r in listed]


@pytest.mark.parametrize(("lock", "extra"), [("run.lock", None), ("test.lock", "test")])
def test_every_dependency_is_locked_at_a_version_it_allows(lock: str, extra: str | None) -> None:
    pins = locked(lock)
    for requirement in requirements(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements/{lock}"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name]}, outside {requirement.specifier}"
        )


def test_both_locks_pin_a_shared_package_alike() -> None:
    run, test = locked("run.lock"), locked("test.lock")
    assert {n: v for n, v in run.items() if test.get(n) != v} == {}


def test_the_linters_and_the_type_checker_are_pinned_exactly() -> None:
    for requirement in requirements("test"):
        if requirement.name in ("ruff", "mypy"):
            assert str(requirement.specifier).startswith("=="), requirement
