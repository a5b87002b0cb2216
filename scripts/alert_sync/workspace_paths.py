"""Workspace paths: which paths name the same workspace folder (shared by sync and the emulator)."""

from __future__ import annotations


def folder_key(path: str | None) -> str:
    """Identity of a workspace folder: /Workspace/Shared/x and /Shared/x are the same folder.

    /Workspace is the root "/" (so are "" and None: an alert without a parent_path).
    """
    key = (path or "").rstrip("/") or "/"
    if key == "/Workspace":
        return "/"
    if key.startswith("/Workspace/"):
        key = key[len("/Workspace"):]
    return key
