"""How the project's commands end: documented exit codes, and one line for each error.

Exit codes (README, "Exit codes"): 0 the run finished (pages the site or the files refused
are counted, not failures), or a distributed worker was stopped; 1 it failed (the store
failed, the path does not exist, the site was unreachable, every page failed, a start-up
error); 2 a usage error (an unknown or missing argument, a bad option); 3 the run finished
degraded (its health departs from the recent past, see ``scrapy health``).

An error a user can act on is one line: what went wrong, where, and what to do. Its
traceback is logged at DEBUG (``-L DEBUG`` or ``-s LOG_LEVEL=DEBUG`` shows it).
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.exceptions import UsageError

from crawler.spiders import SpiderArgumentError
from pipelines.store import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_DEGRADED = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # the shell's code for a command ended by Ctrl-C (128 + SIGINT)
# Run statuses and the exit codes they end a command with; any other status (Scrapy's
# "shutdown" after Ctrl-C, a CLOSESPIDER_* limit) is not a finished run.
STATUS_EXIT = {"finished": EXIT_OK, "stopped": EXIT_OK, "degraded": EXIT_DEGRADED}
# Errors whose message is the whole story for a user.
USER_ERRORS: tuple[type[BaseException], ...] = (StoreError, OSError, ValueError, OverflowError)
# The largest row id or number a store holds (a 64-bit signed integer).
MAX_NUMBER = 2**63 - 1

F = TypeVar("F", bound="Callable[..., None]")


def exit_code(status: str | None) -> int:
    """The exit code of a run that ended with ``status``."""
    return STATUS_EXIT.get(status or "", EXIT_FAILED)


def say(command: str, message: str) -> None:
    """One line on stderr: ``scrapy COMMAND: error: MESSAGE``."""
    first = message.strip().splitlines()[0] if message.strip() else "failed"
    sys.stderr.write(f"scrapy {command}: error: {first}\n")


def quiet_broken_pipe() -> None:
    """The reader of stdout went away (``| head``): stop quietly, as Unix tools do. Later
    writes, and the interpreter's final flush, go nowhere instead of raising again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def check_number_settings(settings: Any) -> None:
    """A UsageError naming the setting whose value is no number where its default is one
    (``-s REPLAY_WORKERS=abc``: "invalid literal for int()" named nothing)."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    defaults = {**vars(default_settings), **vars(project)}
    for name, default in sorted(defaults.items()):
        if not name.isupper() or isinstance(default, bool):
            continue
        if not isinstance(default, (int, float)) or settings.get(name) is None:
            continue
        try:
            settings.getfloat(name)  # what Scrapy reads some int-valued ones as (timeouts)
        except (TypeError, ValueError):
            msg = f"-s {name}={settings.get(name)!r}: not a number"
            raise UsageError(msg, print_help=False) from None


def one_line_errors(name: str) -> Callable[[F], F]:
    """Decorate a command's ``run``: usage errors are one line and exit 2, the errors a
    user can act on one line and exit 1, a closed stdout a quiet end."""

    def decorate(run: F) -> F:
        @functools.wraps(run)
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
            try:
                run(self, *args, **kwargs)
            except (UsageError, SpiderArgumentError) as exc:
                say(name, f"{exc} (scrapy {name} -h shows the usage)")
                self.exitcode = EXIT_USAGE
            except BrokenPipeError:
                quiet_broken_pipe()
            except KeyboardInterrupt:
                say(name, "interrupted")  # Ctrl-C: what was written so far is removed
                self.exitcode = EXIT_INTERRUPTED
            except USER_ERRORS as exc:
                logger.debug("scrapy %s failed", name, exc_info=exc)
                say(name, str(exc) or type(exc).__name__)
                self.exitcode = EXIT_FAILED

        return wrapper  # type: ignore[return-value]

    return decorate
