"""SAML messages from outside are parsed without DTDs or entities, whatever their encoding."""

from __future__ import annotations

import pytest

from amplify_py.local.saml import SamlError, parse


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be"])
def test_a_doctype_is_refused_in_any_encoding(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
    document = (declaration + '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>').encode(encoding)
    with pytest.raises(SamlError, match="SAML message must not contain a DOCTYPE"):
        parse(document)


def test_a_plain_document_is_read() -> None:
    assert parse('<?xml version="1.0" encoding="UTF-16"?><a><b/></a>'.encode("utf-16"))[0].tag == "b"
