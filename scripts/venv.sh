# Sourced by scripts/run and scripts/test: a project virtualenv with Xuncha installed.
# Usage: . scripts/venv.sh [extra]   (extra = "test" installs the test tools too)
# Every package comes from a lock file at its exact version and hash (requirements/*.lock,
# refreshed by scripts/lock); Xuncha itself is installed editable on top, without resolving.
set -euo pipefail
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Xuncha needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
lock="requirements/run.lock"
[ "${1:-}" = "test" ] && lock="requirements/test.lock"
pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"; }
pip_install --require-hashes -r "$lock"
pip_install --no-deps --editable .
