"""The animated QR code: BankID's official test vectors and a self-contained SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from signing.qr import qr_payload, qr_svg

# Official test vectors (reference §4.1).
TOKEN = "67df3917-fa0d-44e5-b327-edcc928297f8"
SECRET = "d28db9a7-4cde-429e-a983-359be676944c"
SVG_NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        (0, "dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"),
        (1, "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"),
        (2, "a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3"),
    ],
)
def test_qr_payload_matches_official_vectors(seconds, code):
    assert qr_payload(TOKEN, SECRET, seconds) == f"bankid.{TOKEN}.{seconds}.{code}"


def test_qr_payload_time_is_plain_decimal():
    assert qr_payload(TOKEN, SECRET, 30).split(".")[2] == "30"


def test_qr_payload_depends_on_secret():
    assert qr_payload(TOKEN, SECRET, 0) != qr_payload(TOKEN, "another-secret", 0)


def test_qr_svg_is_one_self_contained_svg_document():
    svg = qr_svg(qr_payload(TOKEN, SECRET, 0))
    root = _parse(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("viewBox")
    assert len(root.findall(f"{SVG_NS}path")) == 1
    # Nothing fetched from elsewhere: no links, images, scripts or styles.
    assert "href" not in svg
    assert "<image" not in svg
    assert "<script" not in svg


def test_qr_svg_has_white_background_for_scanning():
    background = _parse(qr_svg("bankid.x.0.y")).find(f"{SVG_NS}rect")
    assert background is not None
    assert background.get("fill") == "white"


def test_qr_svg_changes_with_each_frame():
    frames = {qr_svg(qr_payload(TOKEN, SECRET, t)) for t in range(3)}
    assert len(frames) == 3
    assert qr_svg(qr_payload(TOKEN, SECRET, 0)) == qr_svg(qr_payload(TOKEN, SECRET, 0))
