"""Ed25519 keys as Data Integrity writes them: multibase (base58-btc), multicodec, did:key.

A ``Multikey`` public key is ``z`` + base58btc(0xed 0x01 + 32 key bytes), so every Ed25519
key starts ``z6Mk``; its did:key is ``did:key:`` + that string.

>>> key = public_key_from_multibase("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
>>> multibase_from_public_key(key)
'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi'
>>> b58decode(b58encode(b"\\x00\\x00hi"))
b'\\x00\\x00hi'
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from creditbank.fileio import read_bytes
from creditbank.interop.errors import InteropError

MAX_KEY_BYTES = 64 * 1024
"""A key file is a few hundred bytes (PEM); a larger one is refused unread."""

__all__ = [
    "ED25519_PUB_PREFIX",
    "MAX_KEY_BYTES",
    "b58decode",
    "b58encode",
    "did_key",
    "load_private_key",
    "multibase_decode",
    "multibase_from_public_key",
    "public_key_from_multibase",
    "read_private_key",
    "verification_method_for",
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: index for index, char in enumerate(_ALPHABET)}
_MAX_B58 = 256
"""Longest base58 text decoded: an Ed25519 signature takes at most 88 characters."""
ED25519_PUB_PREFIX = b"\xed\x01"
"""The multicodec prefix of an Ed25519 public key (varint 0xed)."""


def b58encode(data: bytes) -> str:
    """Base58 (Bitcoin alphabet), keeping leading zero bytes as ``1``."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def b58decode(text: str) -> bytes:
    """Decode base58 (Bitcoin alphabet); ValueError on any other character, or on a text
    longer than any key or signature (decoding takes time quadratic in the length, so an
    attacker's megabyte-long ``proofValue`` would take hours)."""
    if len(text) > _MAX_B58:
        raise ValueError(f"{len(text):,} base58 characters; keys and signatures have fewer")
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + _INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + body


def multibase_decode(text: str) -> bytes:
    """Decode a multibase string; only base58-btc (``z``) is used by these cryptosuites."""
    if not text.startswith("z"):
        raise ValueError("only base58-btc multibase values (starting with 'z') are supported")
    return b58decode(text[1:])


def public_key_from_multibase(text: str) -> Ed25519PublicKey:
    """An Ed25519 public key from its Multikey form ``z6Mk…``; ValueError if it is not one."""
    raw = multibase_decode(text)
    if not raw.startswith(ED25519_PUB_PREFIX) or len(raw) != 34:
        raise ValueError("not a multicodec Ed25519 public key (expected z6Mk…, 34 bytes)")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def multibase_from_public_key(key: Ed25519PublicKey) -> str:
    """The Multikey form ``z6Mk…`` of an Ed25519 public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + b58encode(ED25519_PUB_PREFIX + raw)


def did_key(key: Ed25519PublicKey) -> str:
    """The did:key identifier of a public key."""
    return "did:key:" + multibase_from_public_key(key)


def verification_method_for(key: Ed25519PublicKey, controller: str | None = None) -> str:
    """The verification method id a signer uses: ``did:key:z…#z…``, or ``CONTROLLER#z…``.

    The second form (the key in the fragment of the issuer's URL) is what 1EdTech's
    reference validator uses for issuers with an HTTP identifier.
    """
    multikey = multibase_from_public_key(key)
    return f"{controller or did_key(key)}#{multikey}"


def read_private_key(path: Path | str) -> Ed25519PrivateKey:
    """:func:`load_private_key` of a key file: a regular file of at most
    :data:`MAX_KEY_BYTES`, else :class:`~creditbank.errors.FileError`."""
    return load_private_key(read_bytes(path, MAX_KEY_BYTES), str(path))


def load_private_key(data: bytes, source: str | None = None) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8), or from 32 raw / 64 hex / ``z…`` bytes."""
    text = data.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(text, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise InteropError("INVALID_KEY", "the PEM key is not an Ed25519 key", source)
            return key
        if len(text) == 32:
            return Ed25519PrivateKey.from_private_bytes(text)
        if len(text) == 64:
            return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(text.decode("ascii")))
    except (ValueError, UnicodeDecodeError) as error:
        raise InteropError("INVALID_KEY", f"cannot read the Ed25519 key: {error}", source) from None
    raise InteropError(
        "INVALID_KEY",
        "expected an Ed25519 private key as PEM (PKCS#8), 32 raw bytes or 64 hex digits",
        source,
    )
