# Sourced by scripts/run and scripts/test: a project virtualenv with Xuncha installed.
# Usage: . scripts/venv.sh [extra]   (extra = "test" installs the test tools too)
set -euo pipefail
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Xuncha needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
spec="."
[ "${1:-}" = "test" ] && spec=".[test]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --editable "$spec"
