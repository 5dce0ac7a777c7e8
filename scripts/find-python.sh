#!/usr/bin/env bash
# Print the first Python >= 3.12: $PYTHON if given, else on PATH, else among pyenv's versions.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
if [ -n "${PYTHON:-}" ]; then
  if ok "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "PYTHON=$PYTHON không phải Python >= 3.12 (PYTHON=$PYTHON is not Python >= 3.12)." >&2; exit 1
fi
for name in python3.14 python3.13 python3.12 python3 python; do
  p=$(command -v "$name" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(ls "$root/versions" 2>/dev/null | sort -t. -k1,1n -k2,2n -k3,3n); do
    p="$root/versions/$v/bin/python"
    if [ -x "$p" ] && ok "$p"; then echo "$p"; exit 0; fi
  done
fi
cat >&2 <<'MSG'
Không tìm thấy Python >= 3.12. Hãy cài Python 3.12 trở lên (ví dụ: apt-get install python3.12
python3.12-venv, hoặc pyenv install 3.12), rồi chạy lại, hoặc chỉ rõ: make run PYTHON=/đường/dẫn/python3.12
No Python >= 3.12 found. Install Python 3.12 or newer, or pass PYTHON=/path/to/python3.12.
MSG
exit 1
