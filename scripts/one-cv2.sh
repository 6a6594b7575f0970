#!/usr/bin/env bash
# Keeps exactly one cv2 in a venv: opencv-contrib-python (MediaPipe's own dependency).
# Another OpenCV package (opencv-python, a headless one) installs the same cv2 folder,
# and whichever was installed last wins file by file. Usage: one-cv2.sh VENV/bin/python
set -eu
py=$1
others=$("$py" -m pip list --format=freeze 2>/dev/null | cut -d= -f1 \
    | grep -ix -e opencv-python -e opencv-python-headless -e opencv-contrib-python-headless || true)
if [ -n "$others" ]; then
    echo "removing $(echo $others) (a second cv2 beside opencv-contrib-python)"
    "$py" -m pip uninstall --quiet -y $others
    # The removal deleted files the two packages shared: put contrib's back.
    "$py" -m pip install --quiet --force-reinstall --no-deps opencv-contrib-python
fi
"$py" -c "import cv2; print('cv2', cv2.__version__, 'from', cv2.__file__)"
