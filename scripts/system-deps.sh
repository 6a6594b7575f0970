#!/usr/bin/env bash
# Installs the system libraries OpenCV's GUI build and the window tests need, if missing.
# Debian/Ubuntu only; elsewhere (or without root) it says what is missing and carries on.
set -u
need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib 'libGL.so.1' || need+=(libgl1)
have_lib 'libglib-2.0.so.0' || need+=(libglib2.0-0)
have_lib 'libgthread-2.0.so.0' || need+=(libglib2.0-0)
command -v Xvfb >/dev/null 2>&1 || need+=(xvfb)
command -v xdotool >/dev/null 2>&1 || need+=(xdotool)
command -v xwd >/dev/null 2>&1 || need+=(x11-apps)
[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing system packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "installing system packages: ${need[*]}"
    sudo apt-get update -qq >/dev/null && sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
    echo "note: these system packages may be missing: ${need[*]} (the window tests will be skipped without them)"
fi
exit 0
