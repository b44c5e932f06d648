"""Choose a file's ``Content-Type``: by extension, else by looking at its first bytes."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from werkzeug.utils import get_content_type

__all__ = ["DEFAULT_BINARY_MIME", "DEFAULT_TEXT_MIME", "SNIFF_SIZE", "content_type_for", "looks_like_text"]

#: Type of files with an unknown extension whose first bytes look like text.
DEFAULT_TEXT_MIME = "text/plain"

#: Type of other files with an unknown extension.
DEFAULT_BINARY_MIME = "application/octet-stream"

#: How many leading bytes are read to tell text from binary.
SNIFF_SIZE = 2048

#: The charset announced for text types (text/*, JSON, JavaScript, +xml...).
CHARSET = "utf-8"

# A file named "x.tar.gz" *is* a gzip file when asked for by that name;
# mimetypes reports the compression as an "encoding", which is only right
# for precompressed siblings chosen by Accept-Encoding.
_COMPRESSED_TYPES = {
    "gzip": "application/gzip",
    "br": "application/x-brotli",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
}

# C0 control bytes that appear in ordinary text files.
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"


def looks_like_text(sample: bytes) -> bool:
    """Guess whether *sample*, the start of a file, is UTF-8 (or ASCII) text.

    Text has no NUL bytes, decodes as UTF-8 (a multi-byte character cut off
    at the end of the sample is fine) and has few control characters.

    >>> looks_like_text(b'hello, world\\n'), looks_like_text(b'\\x89PNG\\r\\n\\x1a\\n\\x00')
    (True, False)
    """
    if not sample:
        return True
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as ex:
        if not (ex.reason == "unexpected end of data" and ex.start >= len(sample) - 3):
            return False
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls * 10 <= len(sample)


def content_type_for(
    name: str,
    read_sample: Callable[[], bytes],
    *,
    default_text_mime: str,
    default_binary_mime: str,
    mimetype: str | None = None,
) -> str:
    """Return the ``Content-Type`` header value for the file *name*.

    Args:
        name: The file's name; its extension decides the type when known.
        read_sample: Returns the file's first bytes; called only when the
            extension says nothing. An ``OSError`` from it means binary.
        default_text_mime: Type for unknown extensions whose content is text.
        default_binary_mime: Type for unknown extensions whose content is not.
        mimetype: Use this type instead of guessing.

    Text types get ``; charset=utf-8`` unless the type already has parameters.
    """
    if mimetype is None:
        guessed, encoding = mimetypes.guess_type(name, strict=False)
        if encoding is not None:
            mimetype = _COMPRESSED_TYPES.get(encoding, default_binary_mime)
        elif guessed is not None:
            mimetype = guessed
        else:
            try:
                is_text = looks_like_text(read_sample())
            except OSError:  # replaced or removed since it was found; sending its body fails the same way
                is_text = False
            mimetype = default_text_mime if is_text else default_binary_mime
    if ";" in mimetype:
        return mimetype
    return get_content_type(mimetype, CHARSET)
