"""Where reports live: one deterministic folder per workspace and run, behind an fsspec URL."""

from __future__ import annotations

from dataclasses import dataclass

import fsspec

REPORT_FILES = {"html": "report.html", "markdown": "report.md"}


@dataclass(frozen=True)
class ReportLocation:
    """The objects of one run's report; the same inputs always give the same URLs."""

    html_uri: str
    markdown_uri: str
    html_link: str
    """What a person opens: under GLENS_REPORTS_PUBLIC_URL when set, else `html_uri`."""


def _join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *parts])


def report_location(
    base_url: str, workspace_id: str, run_id: str, public_url: str | None = None
) -> ReportLocation:
    """`{base}/{workspace_id}/{run_id}/report.html|md`.

    Workspace and run ids are restricted by the contract to [A-Za-z0-9_-], so they are safe as
    path segments and cannot climb out of the base folder.
    """
    html = _join(base_url, workspace_id, run_id, REPORT_FILES["html"])
    markdown = _join(base_url, workspace_id, run_id, REPORT_FILES["markdown"])
    link = _join(public_url, workspace_id, run_id, REPORT_FILES["html"]) if public_url else html
    return ReportLocation(html_uri=html, markdown_uri=markdown, html_link=link)


def public_link(uri: str, base_url: str, public_url: str | None) -> str:
    """The browsable link of a stored object: `uri` re-based on `public_url` when it is set."""
    base = base_url.rstrip("/") + "/"
    if public_url and uri.startswith(base):
        return _join(public_url, uri[len(base) :])
    return uri


def write_text(uri: str, text: str, content_type: str) -> None:
    """Write (or overwrite) one object; parent folders are created on local file systems."""
    fs, path = fsspec.core.url_to_fs(uri)
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    if "gs" in protocols:
        # No makedirs on GCS: it has no folders, and gcsfs' makedirs looks the bucket up, which
        # needs storage.buckets.get (roles/storage.objectAdmin does not grant it). contentType
        # is stored with the object so a browser renders the HTML instead of downloading it.
        fs.pipe_file(path, text.encode(), content_type=content_type)
        return
    parent = path.rsplit("/", 1)[0]
    if parent:
        fs.makedirs(parent, exist_ok=True)
    fs.pipe_file(path, text.encode())


def read_bytes(uri: str) -> bytes:
    """Read one object whole (FileNotFoundError when missing)."""
    with fsspec.open(uri, "rb") as handle:
        return handle.read()
