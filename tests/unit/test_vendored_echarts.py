"""The committed `echarts.min.js` is the file of the tarball `package-lock.json` pins.

The pages are served on intranets without internet, so ECharts is committed under
`src/api/http/web/static/`; this test fetches the locked tarball with `npm pack` (the npm registry
is reachable where the tests run), checks it against the lock's integrity hash, and compares
the file. Update with: `cd src/api/http/web && npm install echarts@X && cp
node_modules/echarts/dist/echarts.min.js static/`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "api" / "http" / "web"


def locked() -> dict[str, str]:
    lock = json.loads((WEB / "package-lock.json").read_text())
    entry: dict[str, str] = lock["packages"]["node_modules/echarts"]
    return entry


def test_package_json_pins_the_locked_version() -> None:
    pinned = json.loads((WEB / "package.json").read_text())["dependencies"]["echarts"]
    assert pinned == locked()["version"]


def test_the_committed_file_is_the_locked_tarballs(tmp_path: Path) -> None:
    entry = locked()
    npm = shutil.which("npm")
    assert npm, "npm is needed to fetch the locked tarball"
    out = subprocess.run(
        [npm, "pack", f"echarts@{entry['version']}", "--pack-destination", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    tarball = tmp_path / out.stdout.strip().splitlines()[-1]
    algorithm, expected = entry["integrity"].split("-", 1)
    digest = hashlib.new(algorithm, tarball.read_bytes()).digest()
    assert base64.b64encode(digest).decode() == expected, "tarball differs from the lock"
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/dist/echarts.min.js")
        assert member is not None
        packed = member.read()
    committed = (WEB / "static" / "echarts.min.js").read_bytes()
    assert hashlib.sha256(committed).hexdigest() == hashlib.sha256(packed).hexdigest()
