# SPDX-License-Identifier: GPL-3.0-or-later
"""The sans-I/O codecs (SLIP, ROM commands, UF2, image header) against arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware import esp_image, esp_protocol, slip, uf2
from firmware.boards import get_board
from tests.support.esp_images import app_image, combined_bin

FEW = settings(max_examples=80, deadline=None)


@FEW
@given(st.lists(st.binary(min_size=1, max_size=300), max_size=5), st.integers(1, 64))
def test_slip_round_trip_whatever_the_chunking(packets: list[bytes], chunk: int) -> None:
    wire = b"".join(slip.encode(p) for p in packets)
    decoder = slip.SlipDecoder()
    events: list[slip.SlipEvent] = []
    for i in range(0, len(wire), chunk):
        events += decoder.feed(wire[i : i + chunk])
    assert [e.data for e in events if isinstance(e, slip.Frame)] == packets
    assert not [e for e in events if not isinstance(e, slip.Frame)]


@FEW
@given(st.binary(max_size=2000))
def test_slip_decoder_never_raises_on_junk(junk: bytes) -> None:
    decoder = slip.SlipDecoder()
    events = decoder.feed(junk)
    for event in events:
        assert isinstance(event, (slip.Frame, slip.Noise, slip.BadEscape))
    # After junk, a clean frame still gets through.
    after = decoder.feed(b"\xc0" + slip.encode(b"\x01\x02\xc0\xdb"))
    assert slip.Frame(b"\x01\x02\xc0\xdb") in after


def test_slip_reports_boot_log_as_noise_and_bad_escape() -> None:
    decoder = slip.SlipDecoder()
    events = decoder.feed(b"waiting for download\r\n\xc0\x01\xdb\x99\xc0\xc0ok\xc0")
    assert events[0] == slip.Noise(b"waiting for download\r\n")
    assert isinstance(events[1], slip.BadEscape)
    assert events[-1] == slip.Frame(b"ok")


@FEW
@given(st.binary(max_size=200))
def test_command_decoder_raises_only_protocol_errors(packet: bytes) -> None:
    try:
        command = esp_protocol.decode_command(packet)
    except esp_protocol.ProtocolError:
        return
    assert esp_protocol.encode_command(command.op, command.data, command.checksum) == packet


@FEW
@given(st.binary(max_size=64), st.integers(0, 2**32 - 1))
def test_data_block_checksum_round_trip(payload: bytes, seq: int) -> None:
    packet = esp_protocol.encode_data_block(esp_protocol.Op.FLASH_DATA, payload, seq)
    block = esp_protocol.decode_data_block(esp_protocol.decode_command(packet))
    assert (block.seq, block.payload) == (seq, payload)


def test_damaged_data_block_is_a_checksum_error() -> None:
    packet = bytearray(esp_protocol.encode_data_block(esp_protocol.Op.FLASH_DATA, b"abcd", 0))
    packet[-1] ^= 0x10
    with pytest.raises(esp_protocol.ProtocolError) as caught:
        esp_protocol.decode_data_block(esp_protocol.decode_command(bytes(packet)))
    assert caught.value.code == esp_protocol.RomError.BAD_CHECKSUM


@FEW
@given(st.binary(max_size=3 * 512))
def test_uf2_parser_gives_clean_french_errors_on_junk(junk: bytes) -> None:
    try:
        uf2.parse(junk, family=0xE48BFF56)
    except uf2.Uf2Error as exc:
        assert exc.exit_code == 2 and exc.message


@FEW
@given(st.binary(min_size=1, max_size=3000), st.integers(1, 476))
def test_uf2_build_parse_round_trip(payload: bytes, chunk: int) -> None:
    data = uf2.build(payload, 0x10000000, 0xE48BFF56, chunk=chunk)
    image = uf2.parse(data, family=0xE48BFF56)
    assert b"".join(b.payload for b in image.blocks) == payload
    assert image.address_range == (0x10000000, 0x10000000 + len(payload))


@FEW
@given(st.binary(min_size=512, max_size=4 * 512), st.integers(0, 4 * 512 - 1), st.integers(1, 255))
def test_uf2_any_flipped_header_byte_is_caught_or_harmless(
    payload: bytes, position: int, flip: int
) -> None:
    data = bytearray(uf2.build(payload, 0x10000000, 0xE48BFF56))
    position %= len(data)
    data[position] ^= flip
    try:
        image = uf2.parse(bytes(data), family=0xE48BFF56)
    except uf2.Uf2Error:
        return
    assert image.family == 0xE48BFF56


def test_uf2_family_mismatch_is_refused() -> None:
    data = uf2.build(b"x" * 1000, 0x2000, 0x68ED2B88)  # SAMD21
    with pytest.raises(uf2.Uf2Error, match="SAMD21, pas pour la RP2040"):
        uf2.parse(data, family=get_board("pico").uf2_family)


def test_uf2_without_family_id_is_refused_with_its_reason() -> None:
    blocks = bytearray(uf2.build(b"x" * 1000, 0x10000000, 0xE48BFF56))
    for start in range(0, len(blocks), uf2.BLOCK_SIZE):  # clear the "family id" flag
        blocks[start + 8 : start + 12] = (0).to_bytes(4, "little")
    with pytest.raises(uf2.Uf2Error, match="n'indique pas pour quelle puce") as caught:
        uf2.parse(bytes(blocks), family=0xE48BFF56)
    assert "RP2040" in caught.value.message and "sans famille" not in caught.value.message
    assert uf2.parse(bytes(blocks)).family is None  # without a board, the file is readable


def test_uf2_truncated_file_is_refused() -> None:
    data = uf2.build(b"x" * 3000, 0x10000000, 0xE48BFF56)
    with pytest.raises(uf2.Uf2Error, match="tronqué"):
        uf2.parse(data[:-100], family=0xE48BFF56)
    with pytest.raises(uf2.Uf2Error, match="il en manque 2"):
        uf2.parse(data[: -2 * 512], family=0xE48BFF56)


def test_uf2_blocks_out_of_order_are_refused() -> None:
    data = uf2.build(b"x" * 1000, 0x10000000, 0xE48BFF56)
    swapped = data[512:1024] + data[:512] + data[1024:]
    with pytest.raises(uf2.Uf2Error, match="désordre"):
        uf2.parse(swapped)


@pytest.mark.parametrize("chip", ["esp32s2", "esp32s3"])
def test_image_header_names_the_chip(chip: str) -> None:
    data = combined_bin(chip, 64 * 1024)
    board = get_board("qtpy_esp32s2" if chip == "esp32s2" else "feather_esp32s3")
    header = esp_image.find_header(data, board.flash_offset, board.chip)
    assert header is not None and header.chip == chip


def test_image_header_absent_in_random_data() -> None:
    assert esp_image.find_header(b"\x00" * 8192, 0, "esp32s3") is None
    assert esp_image.parse_header(app_image("esp32s3", b"abc")) is not None


@FEW
@given(st.binary(max_size=5000), st.sampled_from(["esp32s2", "esp32s3"]))
def test_image_header_finder_never_raises(junk: bytes, chip: str) -> None:
    header = esp_image.find_header(junk, 0, chip)
    assert header is None or header.segments >= 1
