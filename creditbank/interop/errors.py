"""Errors of the interoperability adapters: one exception, each with a stable code.

An :class:`InteropError` means a document could not be processed at all — it is not JSON,
too large, too deep, uses a context creditbank does not have, is not a credential or a
CASE package. Nothing from such a document is ever imported. A credential that *can* be
read but fails verification is not an error: it gets a
:class:`creditbank.interop.verify.Verification` saying why. An achievement of a credential
that cannot be mapped unambiguously (``AMBIGUOUS_UNIT``, ``AMBIGUOUS_RESULT``) carries an
:class:`InteropError` in its record (``BadgeRecord.error``), and only that achievement is
not imported.
"""

from __future__ import annotations

from typing import Literal, get_args

from creditbank.errors import CreditbankError, FileErrorCode

__all__ = ["INTEROP_ERROR_CODES", "InteropError", "InteropErrorCode"]

InteropErrorCode = Literal[
    "MALFORMED_JSON",
    "DOCUMENT_TOO_LARGE",
    "DOCUMENT_TOO_DEEP",
    "NOT_A_CREDENTIAL",
    "UNKNOWN_CONTEXT",
    "NETWORK_REFUSED",
    "INVALID_KEY",
    "INVALID_ISSUER_ID",
    "INVALID_MAPPING",
    "INVALID_PACKAGE",
    "UNKNOWN_ITEM",
    "AMBIGUOUS_UNIT",
    "AMBIGUOUS_RESULT",
    "SEVERAL_SUBJECTS",
    "IMPORT_FAILED",
    "NOTHING_ACCEPTED",
]

INTEROP_ERROR_CODES: dict[InteropErrorCode, str] = {
    "MALFORMED_JSON": "the document is not well-formed JSON (or not a JWT)",
    "DOCUMENT_TOO_LARGE": "the document is larger than the size limit",
    "DOCUMENT_TOO_DEEP": "the document nests deeper than the limit",
    "NOT_A_CREDENTIAL": "the document is not a verifiable credential creditbank can read",
    "UNKNOWN_CONTEXT": "a JSON-LD context is not in the local cache and fetching is not allowed",
    "NETWORK_REFUSED": "a fetch was needed but the network is not allowed or failed",
    "INVALID_KEY": "a signing or verification key cannot be used",
    "INVALID_ISSUER_ID": "a trusted issuer id is not a DID, an http(s) URL or a URN",
    "INVALID_MAPPING": "an institution's badge mapping file is invalid",
    "INVALID_PACKAGE": "the document is not a CASE CFPackage creditbank can read",
    "UNKNOWN_ITEM": "an id names no framework, programme or certificate family",
    "AMBIGUOUS_UNIT": "an achievement's alignments name different units; none is chosen",
    "AMBIGUOUS_RESULT": "an achievement's results disagree (score, grade or level); none is chosen",
    "SEVERAL_SUBJECTS": "the credentials name several subjects; a portfolio is one learner's",
    "IMPORT_FAILED": "a file was rejected, a credential is invalid or an achievement "
    "ambiguous, so no portfolio of the import is written",
    "NOTHING_ACCEPTED": "no achievement was accepted, so there is no portfolio to write",
}

_missing = set(get_args(InteropErrorCode)) ^ set(INTEROP_ERROR_CODES)
assert not _missing, f"INTEROP_ERROR_CODES out of step: {_missing}"


class InteropError(CreditbankError):
    """A document that cannot be processed; ``code`` is stable, ``source`` names the input.

    A file that cannot be read at all has the code of a
    :class:`~creditbank.errors.FileError` (``NOT_A_FILE``, ``FILE_NOT_FOUND`` …)."""

    def __init__(
        self, code: InteropErrorCode | FileErrorCode, message: str, source: str | None = None
    ) -> None:
        self.code: InteropErrorCode | FileErrorCode = code
        self.message = message
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{code} {message}")
