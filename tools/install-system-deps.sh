#!/usr/bin/env bash
# System packages some features and tests use, installed when possible:
#   fonts-noto-cjk  Chinese labels in figures (tests skip with a reason without it)
#   chromium        headless browser that renders `trustsem report` output in
#                   tests/test_report.py (the test is skipped without it)
# Only what is missing is installed. Needs root and apt-get (Debian/Ubuntu);
# elsewhere it only says what to install.
set -u
pkgs=""
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi "noto"; }; then
  pkgs="$pkgs fonts-noto-cjk"
fi
if ! command -v chromium >/dev/null 2>&1; then
  pkgs="$pkgs chromium"
fi
pkgs="${pkgs# }"
if [ -z "$pkgs" ]; then
  exit 0
fi
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq $pkgs >/dev/null; }; then
    echo "note: could not install $pkgs; tests that need them (Chinese figure labels, the"
    echo "      headless-browser check of the report) will be skipped"
  fi
else
  echo "note: install $pkgs (e.g. sudo apt-get install $pkgs) for Chinese figure labels and"
  echo "      the headless-browser check of the HTML report"
fi
exit 0
