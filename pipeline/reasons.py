"""Why an input did not become a document: every reject row carries one of these codes."""

from __future__ import annotations

REJECT_REASONS: dict[str, str] = {
    "unreadable": (
        "the file could not be opened or read, or a directory could not be listed "
        "(permissions, vanished, dangling symlink, symlink loop)"
    ),
    "not_a_regular_file": "a device, socket, FIFO or symlinked directory, which is never read",
    "unsupported_format": "the file extension is not one claimset reads",
    "too_large": "the file is larger than the configured size limit",
    "empty_file": "the file or record has no content",
    "binary": "the bytes are binary data (image, archive, NUL bytes), not text",
    "undecodable": "no text encoding decodes the bytes",
    "malformed_json": "a .jsonl line that is not a JSON object",
    "missing_text": "a .jsonl record without a 'text' field",
    "invalid_text": "a .jsonl record whose 'text' is not a string",
    "no_main_text": "an HTML page from which no main text could be extracted",
    "empty_after_cleaning": "nothing but boilerplate or whitespace was left after cleaning",
    "duplicate": (
        "the cleaned text, or the content bytes, are identical to an earlier document's "
        "(see duplicate_of)"
    ),
}
"""Reject reason code -> what it means. Codes are stable: users filter on them."""
