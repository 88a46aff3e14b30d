"""The C library's wcwidth under a UTF-8 locale: the width tmux, GNU screen and SSH clients give a character.

Asked through ctypes with a per-thread locale (newlocale + uselocale), so the process locale is never
changed. Where that is not available (not glibc), an emulation of glibc's rule from Python's Unicode
database stands in: wide for East Asian Wide/Fullwidth, zero for combining marks and format characters.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
import threading
import unicodedata
from collections.abc import Callable

_LC_CTYPE_MASK = 1  # glibc: 1 << LC_CTYPE (0)
_lock = threading.Lock()


def emulated_wcwidth(ch: str) -> int:
    """glibc's width rule from Python's Unicode database (used when libc cannot be asked)."""
    cp = ord(ch)
    if cp == 0:
        return 0
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cn", "Cs") or cp in (0x2028, 0x2029):
        return -1
    if cp == 0x00AD:
        return 1  # glibc draws the soft hyphen
    if cat in ("Mn", "Me", "Cf") or 0x1160 <= cp <= 0x11FF:
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _glibc() -> Callable[[str], int] | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.newlocale.restype = ctypes.c_void_p
        libc.newlocale.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p]
        libc.uselocale.restype = ctypes.c_void_p
        libc.uselocale.argtypes = [ctypes.c_void_p]
        libc.wcwidth.restype = ctypes.c_int
        libc.wcwidth.argtypes = [ctypes.c_wchar]
    except (OSError, AttributeError):
        return None
    loc = None
    for name in (b"C.UTF-8", b"C.utf8", b"en_US.UTF-8"):
        loc = libc.newlocale(_LC_CTYPE_MASK, name, None)
        if loc:
            break
    if not loc:
        return None

    def wcwidth(ch: str) -> int:
        with _lock:  # uselocale is per thread; the lock only keeps the ctypes calls paired
            old = libc.uselocale(loc)
            try:
                return int(libc.wcwidth(ch))
            finally:
                libc.uselocale(old)

    return wcwidth


c_wcwidth: Callable[[str], int] = _glibc() or emulated_wcwidth
