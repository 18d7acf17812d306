"""Notification targets of a workspace: where operators configure them, and how they are logged.

Targets live in a Prefect Variable per workspace, so an operator changes them in the UI (or
`prefect variable set`) without a redeploy:

    name:  glens_notify_<workspace_id, lowercased>      e.g. glens_notify_ws_abc
    value: a JSON list of entries, each either
           - an Apprise URL (json://host/path, mailto://..., slack://...), or
           - "secret:<block-name>": the Apprise URL is the value of that Prefect Secret block.

Variables are readable by anyone with access to the workspace in Prefect, so a URL that holds a
token (Slack, most webhooks, SMTP passwords) belongs in a Secret block, referenced here.
Target URLs are never logged: `Target.label` is the redacted form used everywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flows.errors import PermanentError

VARIABLE_PREFIX = "glens_notify_"
SECRET_PREFIX = "secret:"

# Schemes whose host part is a server, not a token, so it can be shown. For every other Apprise
# scheme (slack://TokenA/TokenB/..., discord://id/token, ...) the "host" is itself a secret.
_HOST_SCHEMES = frozenset(
    {"json", "jsons", "form", "forms", "xml", "xmls", "mailto", "mailtos", "http", "https"}
)


def variable_name(workspace_id: str) -> str:
    """The Prefect Variable holding a workspace's targets (names must be lowercase).

    Workspace ids differing only in case share a variable; ids are lowercase in practice.
    """
    return f"{VARIABLE_PREFIX}{workspace_id.lower()}"


def redact(entry: str) -> str:
    """A form of a target that is safe to log: no user, password, path, query or token."""
    if entry.startswith(SECRET_PREFIX):
        return entry  # a reference to a Secret block, not the secret
    try:
        parts = urlsplit(entry)
        scheme = parts.scheme.lower()
        host = parts.hostname if scheme in _HOST_SCHEMES else None
        port = parts.port if host else None
    except ValueError:  # e.g. a port that is not a number
        return "<unparseable target>"
    if not scheme:
        return "<unparseable target>"
    if host:
        return f"{scheme}://{host}{f':{port}' if port else ''}/…"
    return f"{scheme}://…"


@dataclass(frozen=True)
class Target:
    """One configured target. `entry` may hold credentials: never log it, log `label`."""

    entry: str

    @property
    def target_id(self) -> str:
        """Stable id of the target as configured (part of the once-per-event key)."""
        return hashlib.sha256(self.entry.encode()).hexdigest()[:16]

    @property
    def label(self) -> str:
        """Redacted form plus the id, so two targets on one host can be told apart."""
        return f"{redact(self.entry)} [{self.target_id}]"

    def __repr__(self) -> str:  # keeps the entry out of reprs in tracebacks and Prefect logs
        return f"Target({self.label})"

    __str__ = __repr__


def parse_targets(value: Any, name: str) -> list[Target]:
    """Targets from a Variable's value (None: no targets); PermanentError when malformed."""
    if value is None:
        return []
    if isinstance(value, str):  # one URL typed straight into the UI
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PermanentError(
            f"Prefect Variable {name!r} must be a JSON list of Apprise URLs or "
            f"'{SECRET_PREFIX}<block-name>' strings"
        )
    unique = dict.fromkeys(v.strip() for v in value)  # keep order, drop duplicates
    return [Target(entry) for entry in unique]


def resolve_url(target: Target) -> str:
    """The Apprise URL of a target, reading the Secret block when it is a reference."""
    if not target.entry.startswith(SECRET_PREFIX):
        return target.entry
    from prefect.blocks.system import Secret

    block = target.entry[len(SECRET_PREFIX) :]
    try:
        return str(Secret.load(block).get())
    except ValueError as exc:  # Prefect raises ValueError for a block that does not exist
        raise PermanentError(f"Secret block {block!r} of target {target.label}: {exc}") from None
