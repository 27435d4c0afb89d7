"""Double-submit protection: a form carries a token from the moment it opens; once a save with
that token has committed, any further submit of the same form (a double click) is ignored."""

from __future__ import annotations

import uuid
from collections.abc import MutableMapping

USED_TOKENS = "_records.used_tokens"
_REMEMBERED = 200  # enough for a session; older tokens belong to long-closed forms


def new_token() -> str:
    return uuid.uuid4().hex


def already_saved(state: MutableMapping, token: str) -> bool:
    return token in state.get(USED_TOKENS, ())


def mark_saved(state: MutableMapping, token: str) -> None:
    """Call right after the commit, before any Streamlit call that could end the run."""
    used = list(state.get(USED_TOKENS, ()))
    used.append(token)
    state[USED_TOKENS] = used[-_REMEMBERED:]
