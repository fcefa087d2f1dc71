#!/usr/bin/env bash
# System packages some features and tests use, installed when possible:
#   fonts-noto-cjk  Chinese labels in figures (tests skip with a reason without it)
# Needs root and apt-get (Debian/Ubuntu); elsewhere it only says what to install.
set -u
pkgs="fonts-noto-cjk"
if command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi "noto"; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null; }; then
    echo "note: could not install $pkgs; figure tests with Chinese labels will be skipped"
  fi
else
  echo "note: install $pkgs (e.g. sudo apt-get install $pkgs) for Chinese figure labels"
fi
exit 0
