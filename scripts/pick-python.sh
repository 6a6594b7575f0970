#!/usr/bin/env bash
# Prints the Python to build facefilters' venv with: one for the FaceMesh backend
# (mediapipe 0.10.21 runs on Python 3.9 to 3.12, the fastest) if there is one, else one
# for the Tasks backend (3.13 and later, current mediapipe). Looks on PATH, then in
# pyenv's versions (whose shims answer only for the selected version).
#   scripts/pick-python.sh [any|facemesh|tasks]     the interpreter's path, or nothing
#   scripts/pick-python.sh --explain PYTHON         one line: what that choice means
set -u
root=${PYENV_ROOT:-$HOME/.pyenv}

explain() {
    "$1" - <<'PY'
import sys
v = sys.version_info
if (3, 9) <= v[:2] <= (3, 12):
    print(f"using {sys.executable} (Python {v.major}.{v.minor}.{v.micro}): the FaceMesh "
          "backend, mediapipe 0.10.21 (the Tasks backend is there too, --backend tasks)")
elif v[:2] >= (3, 13):
    print(f"using {sys.executable} (Python {v.major}.{v.minor}.{v.micro}): the Tasks "
          "backend, current mediapipe, its model inside facefilters (FaceMesh needs 3.9-3.12)")
else:
    print(f"{sys.executable} is Python {v.major}.{v.minor}: too old for facefilters")
PY
}

candidates() {  # those on PATH first (the Python the user selected), then pyenv's
    local v
    for v in "$@"; do command -v "python$v" 2>/dev/null; done
    command -v python3 2>/dev/null
    for v in "$@"; do ls -d "$root"/versions/"$v".*/bin/"python$v" 2>/dev/null | sort -V -r; done
}

pick() {  # pick LOW HIGH VERSIONS...: the first candidate that runs, with venv, in range
    local low=$1 high=$2 p
    shift 2
    for p in $(candidates "$@"); do
        "$p" -c "import sys, venv, ensurepip; sys.exit(not $low <= sys.version_info[:2] <= $high)" \
            >/dev/null 2>&1 && { echo "$p"; return 0; }
    done
    return 1
}

case "${1:-any}" in
    --explain) explain "$2" ;;
    facemesh) pick '(3, 9)' '(3, 12)' 3.12 3.11 3.10 3.9 ;;
    tasks) pick '(3, 13)' '(9, 99)' 3.14 3.13 3.15 ;;
    any) pick '(3, 9)' '(3, 12)' 3.12 3.11 3.10 3.9 || pick '(3, 13)' '(9, 99)' 3.14 3.13 3.15 ;;
    *) echo "usage: $0 [any|facemesh|tasks] | --explain PYTHON" >&2; exit 2 ;;
esac
exit 0
