"""The one OID table (crates/core/src/asn1/oid.rs) agrees with the stdlib's OpenSSL."""

from __future__ import annotations

import ssl as stdlib_ssl

import rustssl


def known_objects() -> list[rustssl._ASN1Object]:
    """Every object rustssl can name, found by NID as `fromnid` finds them."""
    found = []
    for nid in range(1, 2000):
        try:
            found.append(rustssl._ASN1Object.fromnid(nid))
        except ValueError:
            pass
    return found


def test_every_known_object_equals_the_stdlib() -> None:
    objects = known_objects()
    # Name attributes, extensions and extended key usages.
    assert len(objects) >= 140
    for obj in objects:
        theirs = stdlib_ssl._ASN1Object.fromnid(obj.nid)
        assert tuple(obj) == tuple(theirs)
        assert tuple(rustssl._ASN1Object(obj.oid)) == tuple(theirs)
        assert tuple(rustssl._ASN1Object.fromname(obj.shortname)) == tuple(theirs)
        assert tuple(rustssl._ASN1Object.fromname(obj.longname)) == tuple(theirs)


def test_name_attributes_are_known() -> None:
    # The certificate dict's attribute names come from the same table.
    for oid in ("2.5.4.3", "2.5.4.9", "0.9.2342.19200300.100.1.25", "1.2.840.113549.1.9.1"):
        assert tuple(rustssl._ASN1Object(oid)) == tuple(stdlib_ssl._ASN1Object(oid))
