# SPDX-License-Identifier: GPL-3.0-or-later
"""Confine a worker process to reading a few folders, with Linux Landlock.

Landlock (Linux 5.13+) lets an unprivileged process give up file-system rights for itself
and its children; once applied it cannot be undone. A worker of :mod:`kit.worker` (the
simulated CircuitPython board, a learner's robot program) keeps read access to its own
folder, the Python standard library and this project (for the modules it imports lazily),
and loses every right to write, create or delete files anywhere, or to run a program. Pipes
already open (the link to the parent) are not affected.

This is the layer under the Python-level guards (:mod:`sim.circuitpython.sandbox` for board
programs, :mod:`robots.worker` for robot programs): code that found its way around the guard
still cannot read or write outside those folders.
Best effort: where Landlock is missing (older kernels, macOS) :func:`restrict_filesystem`
returns False and the other layers remain.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from collections.abc import Iterable

_SYS_CREATE_RULESET = 444
_SYS_ADD_RULE = 445
_SYS_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_READ_FILE = 1 << 2
_READ_DIR = 1 << 3
_EXECUTE = 1 << 0
#: Access rights known per ABI version (bits 0-12 in ABI 1, REFER in 2, TRUNCATE in 3,
#: IOCTL_DEV in 5).
_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_ALL_RIGHTS_LATEST = (1 << 16) - 1


def _syscall() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    func = libc.syscall
    func.restype = ctypes.c_long
    return func


def abi_version() -> int:
    """Landlock ABI version of the running kernel (0 when unavailable)."""
    syscall = _syscall()
    if syscall is None:
        return 0
    version = syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                      ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def restrict_filesystem(readable: Iterable[str]) -> bool:
    """Allow only reading under ``readable`` folders from now on; True when applied."""
    syscall = _syscall()
    abi = abi_version()
    if syscall is None or abi <= 0:
        return False
    handled = _RIGHTS_BY_ABI.get(abi, _ALL_RIGHTS_LATEST)
    attr = ctypes.create_string_buffer(struct.pack("<Q", handled))
    ruleset = syscall(_SYS_CREATE_RULESET, attr, ctypes.c_size_t(8), ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        for folder in readable:
            try:
                fd = os.open(folder, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rights = (_READ_FILE | _READ_DIR | _EXECUTE) & handled
                rule = ctypes.create_string_buffer(struct.pack("<Qi", rights, fd))
                if syscall(_SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                           rule, ctypes.c_uint32(0)) < 0:
                    return False
            finally:
                os.close(fd)
        libc_prctl = ctypes.CDLL(None, use_errno=True).prctl
        if libc_prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return bool(syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) == 0)
    finally:
        os.close(ruleset)
