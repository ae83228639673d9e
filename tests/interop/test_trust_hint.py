"""The project's own signed export imports (issue 20, item 10): a credential signed with a
key the standards do not list is refused with the exact --trust-issuer option to add, and
that option, copied, makes it import."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from creditbank.cli import cli
from tests.paths import ROOT

PORTFOLIO = ROOT / "examples" / "portfolios" / "demo-worker-001-electrician.yaml"
FLAG = re.compile(r"add (--trust-issuer \S+) to the command")


@pytest.mark.parametrize(
    ("issuer", "code"),
    [
        ((), "ISSUER_NOT_TRUSTED"),  # the export's own did:key issuer
        (("--issuer", "https://demo-college.example/issuer"), "UNBOUND_KEY"),  # a known issuer
    ],
    ids=["did-key-issuer", "standards-issuer"],
)
def test_the_refusal_names_the_option_that_trusts_the_signer(
    tmp_path: Path, issuer: tuple[str, ...], code: str
) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    exported = tmp_path / "clr.json"
    runner = CliRunner()
    made = runner.invoke(
        cli,
        [
            "export",
            "clr",
            str(PORTFOLIO),
            "--program",
            "460301",
            "--as-of",
            "2026-09-01",
            "--key",
            str(key),
            *issuer,
            "-o",
            str(exported),
        ],
    )
    assert made.exit_code == 0, made.output
    refused = runner.invoke(cli, ["import", "badge", str(exported)])
    assert f"({code})" in refused.output, refused.output
    flags = set(FLAG.findall(refused.output))
    assert len(flags) == 1, refused.output  # one signer, one option to add
    option, value = next(iter(flags)).split(" ")
    if issuer:  # a known issuer: the option pins the signing key
        assert value.startswith("https://demo-college.example/issuer#z6Mk")
    accepted = runner.invoke(cli, ["import", "badge", str(exported), option, value])
    assert "accepted 3 achievements" in accepted.output, accepted.output
    assert code not in accepted.output
