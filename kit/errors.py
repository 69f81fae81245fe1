# SPDX-License-Identifier: GPL-3.0-or-later
"""Errors that carry a French message for the user and an exit code.

Every layer raises :class:`KitError` (or a subclass) for conditions the user can act on;
the CLI prints ``message`` (and ``hint``) and exits with ``exit_code``. Programming errors
stay ordinary exceptions.

Exit codes used across the kit:
- 0: success;
- 1: the task ran but its outcome is a refusal or a failure (a check forbids a print,
  a challenge failed, a print stopped on a printer fault);
- 2: bad input or unusable device (missing file, wrong port, unknown name);
- 130: interrupted by the user (Ctrl-C).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class KitError(Exception):
    """A failure explained to the user in French.

    ``message`` says what happened, ``hint`` (optional) says what to do about it.
    """

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\n{self.hint}"
        return self.message


class LinkError(KitError):
    """A device link could not be opened or was lost."""


class InputFileError(KitError):
    """A file given by the user cannot be used (missing, empty, binary, malformed)."""


class DeviceFault(KitError):
    """A device reported a fault or stopped answering during a task."""

    exit_code = EXIT_FAILURE
